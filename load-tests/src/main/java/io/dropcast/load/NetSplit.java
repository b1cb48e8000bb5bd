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
 * Where the server under test sits on the network, as seen from the generator.
 *
 * <p>{@code net=loopback} (the default): server, its Redis and the generator share the machine's
 * loopback; the sending side of every connection also runs the receiving socket's TCP processing,
 * so the server is charged for its viewers' receive path.
 *
 * <p>{@code net=veth}: the server (and its Redis) run in their own network namespace, joined to the
 * generator's by a veth pair (MTU 65535, the veth maximum, one byte below loopback's). Receive Packet
 * Steering on each end hands the receiving side's processing to that side's cores: packets arriving
 * at the generator's end are processed on core 0 (the generator's), packets arriving at the server's
 * end on the server's cores. So, as on a real network, the viewers' TCP receive work runs on the
 * "client host" and the server is charged for sending plus the ACKs it receives. The generator
 * connects from several addresses on its side (server .1, generator .2-.9 of a private /24).
 * Needs root (network namespaces, sysfs); where setting up fails, the run falls back to loopback
 * and says so.
 *
 * <p>Not thread-safe; one instance per benchmark run, opened and closed on the main thread. A JVM
 * shutdown hook removes the namespace and links if the run is interrupted; namespaces left by a
 * killed run ({@code dropcast-bench-<pid>} whose pid is gone) are removed by the next {@code net=veth} run.
 */
public final class NetSplit implements AutoCloseable {
  private static final String PREFIX = "dropcast-bench-";
  private static final int CLIENT_ADDRESSES = 8;

  private final String mode;
  private final String serverHost;
  private final List<String> clientAddresses;
  private final List<String> commandPrefix;
  private final Map<String, Object> description;
  private final String namespace;
  private final String generatorLink;
  private Thread cleanupHook;

  private NetSplit(String mode, String serverHost, List<String> clientAddresses, List<String> commandPrefix,
                   Map<String, Object> description, String namespace, String generatorLink) {
    this.mode = mode;
    this.serverHost = serverHost;
    this.clientAddresses = clientAddresses;
    this.commandPrefix = commandPrefix;
    this.description = description;
    this.namespace = namespace;
    this.generatorLink = generatorLink;
  }

  /** The default: everything on 127.0.0.1, generator connections from 127.0.0.2-9. */
  public static NetSplit loopback() {
    return loopback(null);
  }

  private static NetSplit loopback(String fallbackReason) {
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < CLIENT_ADDRESSES; i++) {
      clients.add("127.0.0." + (2 + i));
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mode", "loopback");
    d.put("serverAddress", "127.0.0.1");
    d.put("clientAddresses", "127.0.0.2-" + (1 + CLIENT_ADDRESSES));
    d.put("receiveProcessing", "loopback: the sending process runs the receiving socket's TCP processing");
    if (fallbackReason != null) {
      d.put("requested", "veth");
      d.put("fallback", fallbackReason);
    }
    return new NetSplit("loopback", "127.0.0.1", List.copyOf(clients), List.of(), d, null, null);
  }

  /**
   * @param mode "loopback" or "veth"
   * @param serverCpus the server's taskset cpu list (e.g. "1" or "1-3"); receive steering on the
   *     server's end goes there
   * @param generatorCpu the generator's core (receive steering on the generator's end)
   */
  public static NetSplit open(String mode, String serverCpus, int generatorCpu) {
    if (mode == null || mode.equals("loopback")) {
      return loopback();
    }
    if (!mode.equals("veth")) {
      throw new IllegalArgumentException("net=" + mode + ": expected loopback or veth");
    }
    if (serverCpus == null || serverCpus.isEmpty()) {
      String reason = "the server has no cores of its own (one-core machine): nothing to split";
      BenchContext.progress("net", "net=veth not possible, running on loopback: %s", reason);
      return loopback(reason);
    }
    long pid = ProcessHandle.current().pid();
    String ns = PREFIX + pid;
    String gen = "dcg" + pid;
    String srv = "dcs" + pid;
    try {
      removeStale();
      int subnet = freeSubnet(pid);
      String net = "10.250." + subnet + ".";
      String serverHost = net + "1";
      List<String> clients = new ArrayList<>();
      for (int i = 0; i < CLIENT_ADDRESSES; i++) {
        clients.add(net + (2 + i));
      }
      NetSplit split = new NetSplit("veth", serverHost, List.copyOf(clients),
          List.of("nsenter", "--net=/var/run/netns/" + ns, "--"), new LinkedHashMap<>(), ns, gen);
      split.cleanupHook = new Thread(split::removeQuietly, "net-cleanup");
      Runtime.getRuntime().addShutdownHook(split.cleanupHook);
      try {
        ip("netns", "add", ns);
        ip("link", "add", gen, "mtu", "65535", "type", "veth", "peer", "name", srv, "mtu", "65535");
        ip("link", "set", srv, "netns", ns);
        for (String c : clients) {
          ip("addr", "add", c + "/24", "dev", gen);
        }
        ip("link", "set", gen, "up");
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        ip("netns", "exec", ns, "ip", "addr", "add", serverHost + "/24", "dev", srv);
        ip("netns", "exec", ns, "ip", "link", "set", srv, "up");
        String generatorMask = Long.toHexString(1L << generatorCpu);
        String serverMask = Long.toHexString(cpuMask(serverCpus));
        int genQueues = setRps(null, gen, generatorMask);
        int srvQueues = setRps(ns, srv, serverMask);
        String genRead = run(List.of("cat", "/sys/class/net/" + gen + "/queues/rx-0/rps_cpus")).trim();
        String srvRead = run(List.of("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + srv + "/queues/rx-0/rps_cpus")).trim();
        Map<String, Object> d = split.description;
        d.put("mode", "veth");
        d.put("namespace", ns);
        d.put("serverAddress", serverHost);
        d.put("clientAddresses", clients.get(0) + "-" + (1 + CLIENT_ADDRESSES));
        d.put("serverLink", srv + " (in " + ns + "), mtu 65535, rps_cpus " + srvRead + " on " + srvQueues
            + " rx queues = cpus " + serverCpus);
        d.put("generatorLink", gen + ", mtu 65535, rps_cpus " + genRead + " on " + genQueues
            + " rx queues = cpu " + generatorCpu);
        d.put("receiveProcessing", "RPS: the viewers' TCP receive on cpu " + generatorCpu
            + " (generator), the server's (ACKs, requests) on cpus " + serverCpus);
        BenchContext.progress("net", "veth: server (and Redis) in netns %s at %s via %s, mtu 65535, rps_cpus %s = cpus %s;"
            + " generator at %s-%d via %s, rps_cpus %s = cpu %d", ns, serverHost, srv, srvRead, serverCpus,
            clients.get(0), 1 + CLIENT_ADDRESSES, gen, genRead, generatorCpu);
        return split;
      } catch (IOException | RuntimeException e) {
        split.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage();
      BenchContext.progress("net", "net=veth not permitted or failed here, running on loopback instead: %s", reason);
      return loopback(reason);
    }
  }

  /** @return "loopback" or "veth" (what this run really uses) */
  public String mode() {
    return mode;
  }

  /** @return the address the server binds and the generator connects to */
  public String serverHost() {
    return serverHost;
  }

  /** @return the generator's source addresses */
  public List<String> clientAddresses() {
    return clientAddresses;
  }

  /** @return a command prefix that runs a program in the server's network (empty on loopback) */
  public List<String> commandPrefix() {
    return commandPrefix;
  }

  /** @return the setup, for the run output and results.json */
  public Map<String, Object> description() {
    return description;
  }

  @Override
  public void close() {
    removeQuietly();
    if (cleanupHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanupHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to
      }
      cleanupHook = null;
    }
  }

  private synchronized void removeQuietly() {
    if (namespace == null) {
      return;
    }
    try {
      // Deleting one end of a veth pair deletes both; the namespace goes once no process is left in it.
      if (Files.exists(Path.of("/sys/class/net", generatorLink))) {
        ip("link", "del", generatorLink);
      }
      if (Files.exists(Path.of("/var/run/netns", namespace))) {
        ip("netns", "del", namespace);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("[net] could not remove " + namespace + "/" + generatorLink + ": " + e.getMessage());
    }
  }

  /** Removes namespaces (and their links) left by benchmark runs whose process is gone. */
  private static void removeStale() throws IOException {
    Path dir = Path.of("/var/run/netns");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var names = Files.list(dir)) {
      for (Path p : (Iterable<Path>) names::iterator) {
        String name = p.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
          continue;
        }
        String pid = name.substring(PREFIX.length());
        if (!pid.matches("[0-9]+") || Files.exists(Path.of("/proc", pid))) {
          continue;
        }
        BenchContext.progress("net", "removing %s left by an earlier run", name);
        if (Files.exists(Path.of("/sys/class/net", "dcg" + pid))) {
          ip("link", "del", "dcg" + pid);
        }
        ip("netns", "del", name);
      }
    }
  }

  /** @return a third octet x such that 10.250.x.0/24 is not used on this machine */
  private static int freeSubnet(long pid) throws IOException {
    String used = run(List.of("ip", "-4", "addr", "show")) + run(List.of("ip", "-4", "route", "show", "table", "all"));
    for (int k = 0; k < 250; k++) {
      int x = (int) ((pid + k) % 250) + 1;
      if (!used.contains("10.250." + x + ".")) {
        return x;
      }
    }
    throw new IOException("no free 10.250.x.0/24 subnet");
  }

  /** Sets rps_cpus on every receive queue of a link; @return how many queues */
  private static int setRps(String ns, String link, String mask) throws IOException {
    String script = "n=0; for q in /sys/class/net/" + link + "/queues/rx-*; do echo " + mask
        + " > $q/rps_cpus || exit 1; n=$((n+1)); done; echo $n";
    List<String> cmd = new ArrayList<>();
    if (ns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", ns));
    }
    cmd.addAll(List.of("sh", "-c", script));
    return Integer.parseInt(run(cmd).trim());
  }

  /** @return the bit mask of a kernel cpu list such as {@code 1-3,6} */
  static long cpuMask(String list) {
    long mask = 0;
    for (String part : list.split(",")) {
      String[] range = part.trim().split("-");
      int from = Integer.parseInt(range[0]);
      int to = range.length == 1 ? from : Integer.parseInt(range[1]);
      for (int c = from; c <= to; c++) {
        mask |= 1L << c;
      }
    }
    return mask;
  }

  private static void ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    run(cmd);
  }

  /** Runs a command; @return its output; fails with the output when it exits non-zero. */
  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + ": timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " → exit " + p.exitValue() + ": " + out.trim());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    }
  }
}
