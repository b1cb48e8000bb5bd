package io.dropcast.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the server's CPU goes during a scenario's measured window, sampled with Linux {@code perf}
 * ({@code profile=perf} on any scenario but idle).
 *
 * <p>{@link #start} runs {@code perf record -e cpu-clock -g} on the server process (a software clock:
 * it works in VMs without hardware counters); {@link #stopInto} stops it, asks the server's JVM for a
 * symbol map of its compiled Java methods ({@code jcmd <pid> Compiler.perfmap}), and adds to the result
 * the share of samples in the kernel, in compiled Java, in the JVM itself (GC, JIT compilers,
 * runtime) and under the socket system calls, plus a text table of the hottest symbols, kept beside
 * the report. Sampling at 499 Hz costs the server about 1 %.
 *
 * <p>Used from the benchmark's main thread only. Needs {@code perf} on the PATH and permission to
 * sample the server (root, or {@code kernel.perf_event_paranoid} ≤ 1).
 */
public final class PerfProfile {
  /** System calls that move socket bytes, grouped as the summary reports them. */
  private static final Map<String, List<String>> SYSCALLS = new LinkedHashMap<>();

  static {
    SYSCALLS.put("socket writes (send/sendto/writev/write)",
        List.of("__x64_sys_sendto", "__x64_sys_sendmsg", "__x64_sys_writev", "__x64_sys_write"));
    SYSCALLS.put("socket reads (recv/read/readv)",
        List.of("__x64_sys_recvfrom", "__x64_sys_recvmsg", "__x64_sys_read", "__x64_sys_readv"));
    SYSCALLS.put("epoll_wait", List.of("__x64_sys_epoll_wait", "__x64_sys_epoll_pwait"));
  }

  private final ServerProcess server;
  private final Path data;
  private final Path log;
  private final Process perf;

  private PerfProfile(ServerProcess server, Path data, Path log, Process perf) {
    this.server = server;
    this.data = data;
    this.log = log;
    this.perf = perf;
  }

  /** @return null when {@code perf} runs here, else why not (for a clear error before a run starts) */
  public static String unavailable() {
    try {
      Process p = new ProcessBuilder("perf", "--version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "'perf --version' failed";
    } catch (IOException e) {
      return "perf is not installed (Debian: apt-get install linux-perf)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * @param mode the scenario's {@code profile} parameter: "" (off) or "perf"
   * @return a running profile, or null when {@code mode} is empty
   * @throws IllegalArgumentException for another mode
   * @throws IOException when perf cannot start (not installed, not permitted)
   */
  public static PerfProfile start(String mode, ServerProcess server) throws IOException, InterruptedException {
    if (mode.isEmpty()) {
      return null;
    }
    if (!mode.equals("perf")) {
      throw new IllegalArgumentException("profile=" + mode + ": the only profiler is 'perf'");
    }
    Path data = Files.createTempFile("dropcast-bench-perf", ".data");
    Path log = Files.createTempFile("dropcast-bench-perf", ".log");
    Process perf = new ProcessBuilder("perf", "record", "-e", "cpu-clock", "-F", "499", "-g",
        "-p", Long.toString(server.pid()), "-o", data.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // perf needs a moment to attach to every thread; one that fails at once has said why in its log.
    if (perf.waitFor(500, TimeUnit.MILLISECONDS)) {
      throw new IOException("perf record exited with " + perf.exitValue() + ": " + Files.readString(log).trim());
    }
    BenchContext.progress("profile", "perf sampling server pid %d into %s", server.pid(), data);
    return new PerfProfile(server, data, log, perf);
  }

  /**
   * Stops sampling and adds the summary to {@code result} (figures, and the table of hottest symbols).
   * A profile that fails to report adds a figure saying why rather than failing the run.
   */
  public void stopInto(ScenarioResult result) throws InterruptedException {
    perf.destroy(); // SIGTERM: perf record writes its data and exits
    try {
      if (!perf.waitFor(30, TimeUnit.SECONDS)) {
        perf.destroyForcibly();
        throw new IOException("perf record did not stop");
      }
      if (!server.jcmd("Compiler.perfmap")) { // /tmp/perf-<pid>.map: names for samples in compiled Java code
        BenchContext.progress("profile", "jcmd Compiler.perfmap failed: compiled Java shows as addresses");
      }
      Map<String, Double> dsos = shares(report("--no-children", "--sort", "dso"));
      Map<String, Double> children = shares(report("--children", "--sort", "sym"));
      List<String> top = report("--no-children", "--sort", "dso,sym");
      List<String> threads = report("--no-children", "--sort", "comm");
      double kernel = 0;
      double java = 0;
      double jvm = 0;
      for (var e : dsos.entrySet()) {
        String dso = e.getKey();
        if (dso.startsWith("[kernel")) {
          kernel += e.getValue();
        } else if (dso.startsWith("[JIT]") || dso.startsWith("perf-")) {
          java += e.getValue();
        } else if (dso.equals("libjvm.so")) {
          jvm += e.getValue();
        }
      }
      result.figure("profile: server samples in the kernel %", kernel)
          .figure("profile: in compiled Java %", java)
          .figure("profile: in the JVM (GC, JIT compilers, runtime) %", jvm);
      for (var group : SYSCALLS.entrySet()) {
        double sum = group.getValue().stream().mapToDouble(s -> children.getOrDefault("[k] " + s, 0.0)).sum();
        result.figure("profile: under " + group.getKey() + " %", sum);
      }
      StringBuilder text = new StringBuilder("perf record -e cpu-clock -F 499 -g on the server (pid ")
          .append(server.pid()).append("), measured window. By thread:\n");
      threads.stream().filter(l -> l.contains("%")).forEach(l -> text.append(l.stripTrailing()).append('\n'));
      text.append("\nSelf time by binary and symbol:\n");
      top.stream().filter(l -> l.contains("%")).limit(40).forEach(l -> text.append(l.stripTrailing()).append('\n'));
      result.profile(text.toString());
    } catch (IOException e) {
      result.figure("profile: failed", e.getMessage());
    } finally {
      for (Path file : List.of(data, log, Path.of("/tmp", "perf-" + server.pid() + ".map"))) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file left behind
        }
      }
    }
  }

  private List<String> report(String... how) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("perf", "report", "-i", data.toString(), "--stdio",
        "-g", "none", "--percent-limit", "0.3"));
    command.addAll(List.of(how));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("perf report " + String.join(" ", how) + " exited with " + p.exitValue());
    }
    return out.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
  }

  /**
   * @return the first column's percentage by what follows the percentage columns, from {@code perf report}'s
   *     lines: {@code "  77.40%  [kernel.kallsyms]"} gives {@code [kernel.kallsyms]=77.4}, and with --children
   *     {@code "  69.26%  0.15%  [k] __x64_sys_sendto"} gives {@code [k] __x64_sys_sendto=69.26}
   */
  static Map<String, Double> shares(List<String> lines) {
    Map<String, Double> shares = new LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 2 || !f[0].endsWith("%")) {
        continue;
      }
      int name = 1;
      while (name < f.length && f[name].endsWith("%")) {
        name++;
      }
      shares.merge(String.join(" ", java.util.Arrays.copyOfRange(f, name, f.length)),
          Double.parseDouble(f[0].substring(0, f[0].length() - 1)), Double::sum);
    }
    return shares;
  }
}
