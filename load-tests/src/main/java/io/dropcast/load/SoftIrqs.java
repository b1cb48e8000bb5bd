package io.dropcast.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Per-CPU receive-processing counters of the whole machine: NET_RX softirqs run
 * ({@code /proc/softirqs}) and time spent in softirqs ({@code /proc/stat}, USER_HZ ticks). A
 * difference of two snapshots shows on which cores the network receive work of a run was done
 * (with {@code net=veth}, RPS should put the viewers' on the generator's core). Machine-wide: other
 * work on the box counts too. Immutable.
 *
 * @param netRx NET_RX softirqs per CPU
 * @param softirqTicks softirq time per CPU, in USER_HZ ticks
 */
public record SoftIrqs(long[] netRx, long[] softirqTicks) {
  private static final double USER_HZ = 100;

  /** @return the current counters, or empty arrays where /proc does not have them */
  public static SoftIrqs read() {
    try {
      long[] rx = new long[0];
      for (String line : Files.readAllLines(Path.of("/proc/softirqs"))) {
        String t = line.trim();
        if (t.startsWith("NET_RX:")) {
          String[] f = t.substring(7).trim().split("\\s+");
          rx = new long[f.length];
          for (int i = 0; i < f.length; i++) {
            rx[i] = Long.parseLong(f[i]);
          }
        }
      }
      List<String> cpus = Files.readAllLines(Path.of("/proc/stat")).stream()
          .filter(l -> l.matches("cpu[0-9]+ .*")).toList();
      long[] soft = new long[cpus.size()];
      for (int i = 0; i < soft.length; i++) {
        soft[i] = Long.parseLong(cpus.get(i).split("\\s+")[7]);
      }
      return new SoftIrqs(rx, soft);
    } catch (IOException | RuntimeException notLinux) {
      return new SoftIrqs(new long[0], new long[0]);
    }
  }

  /** @return this minus an earlier snapshot */
  public SoftIrqs minus(SoftIrqs earlier) {
    return new SoftIrqs(diff(netRx, earlier.netRx), diff(softirqTicks, earlier.softirqTicks));
  }

  /** @return e.g. {@code "cpu0 120,345 / cpu1 9,876"} */
  public String netRxText() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < netRx.length; i++) {
      s.append(i == 0 ? "" : " / ").append(String.format(Locale.ROOT, "cpu%d %,d", i, netRx[i]));
    }
    return s.toString();
  }

  /** @return e.g. {@code "cpu0 3.21 / cpu1 0.40"} (seconds) */
  public String softirqSecondsText() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < softirqTicks.length; i++) {
      s.append(i == 0 ? "" : " / ").append(String.format(Locale.ROOT, "cpu%d %.2f", i, softirqTicks[i] / USER_HZ));
    }
    return s.toString();
  }

  private static long[] diff(long[] a, long[] b) {
    long[] d = new long[Math.min(a.length, b.length)];
    for (int i = 0; i < d.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }
}
