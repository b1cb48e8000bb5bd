package io.dropcast.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server under test, run as a separate process so its CPU time and memory can be read from
 * {@code /proc} apart from the load generator's.
 *
 * <p>When the machine has more than one core the server is pinned with {@code taskset} to the cores
 * given (by default all but core 0) and the generator should keep to core 0. Not thread-safe; one
 * instance per benchmark run.
 */
public final class ServerProcess implements AutoCloseable {
  /** Admin key and token secret the benchmark configures, so it can create brands and mint tokens. */
  public static final String ADMIN_KEY = "bench-admin-key-0123456789";
  public static final String TOKEN_SECRET = "bench-token-secret-0123456789-0123456789";
  private static final long CLK_TCK = 100;

  private final Process process;
  private final String host;
  private final int port;
  private final Path log;

  private ServerProcess(Process process, String host, int port, Path log) {
    this.process = process;
    this.host = host;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code server/target/dropcast-server.jar} and waits until {@code /ready} answers.
   *
   * @param jar the fat jar
   * @param port port to listen on
   * @param cpus taskset cpu list (e.g. "1"), or null to not pin
   * @param heap max heap, e.g. "2g"
   * @param settings extra DROPCAST_* environment settings
   * @param net where the server runs: it binds {@code net.serverHost()}, in the server's network
   *     namespace when there is one (the process is the same: nsenter and taskset exec java)
   */
  public static ServerProcess start(Path jar, int port, String cpus, String heap, Map<String, String> settings,
                                    NetSplit net) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(net.commandPrefix());
    if (cpus != null && Files.isExecutable(Path.of("/usr/bin/taskset"))) {
      command.addAll(List.of("/usr/bin/taskset", "-c", cpus));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    command.add(java);
    String extra = System.getProperty("bench.serverJvm", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch",
        "-Dio.netty.leakDetection.level=disabled", "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("DROPCAST_"));
    builder.environment().put("DROPCAST_PORT", Integer.toString(port));
    builder.environment().put("DROPCAST_HOST", net.serverHost());
    builder.environment().put("DROPCAST_ADMIN_KEY", ADMIN_KEY);
    builder.environment().put("DROPCAST_TOKEN_SECRET", TOKEN_SECRET);
    builder.environment().put("LOG_LEVEL", "WARN");
    builder.environment().putAll(settings);
    Path log = Files.createTempFile("dropcast-bench-server", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    ServerProcess server = new ServerProcess(builder.start(), net.serverHost(), port, log);
    server.awaitReady(Duration.ofSeconds(60));
    return server;
  }

  private void awaitReady(Duration timeout) throws InterruptedException, IOException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("server exited with " + process.exitValue() + "; log: " + Files.readString(log));
      }
      try {
        // A timeout per attempt: a probe that reaches the port while the server is still starting may get no answer.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/ready"))
                .timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException("server not ready after " + timeout);
  }

  /** @return {@code http://<server address>:port}, e.g. {@code http://127.0.0.1:18401} */
  public String baseUrl() {
    return "http://" + host + ":" + port;
  }

  /** @return the address the server listens on */
  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** @return user + system CPU seconds the server process has used so far */
  public double cpuSeconds() throws IOException {
    return cpuSecondsOf(process.pid());
  }

  /** @return user + system CPU seconds of any process, from {@code /proc/<pid>/stat} */
  public static double cpuSecondsOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // fields after the ")" of the command name: state is field 3; utime 14, stime 15
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(fields[11]);
    long stime = Long.parseLong(fields[12]);
    return (utime + stime) / (double) CLK_TCK;
  }

  /**
   * @return user + system CPU seconds used so far by the server's threads whose name (as the kernel
   *     keeps it: the first 15 characters) starts with {@code namePrefix}, e.g. {@code "C2 CompilerThre"}
   */
  public double threadCpuSeconds(String... namePrefixes) throws IOException {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        for (String prefix : namePrefixes) {
          if (comm.startsWith(prefix)) {
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            break;
          }
        }
      }
    }
    return ticks / (double) CLK_TCK;
  }

  /** @return CPU seconds the server's JIT compiler threads have used so far */
  public double jitCpuSeconds() throws IOException {
    return threadCpuSeconds("C1 CompilerThre", "C2 CompilerThre");
  }

  /** @return {user, system} CPU seconds the server process has used so far */
  public double[] cpuSplit() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new double[] {Long.parseLong(fields[11]) / (double) CLK_TCK, Long.parseLong(fields[12]) / (double) CLK_TCK};
  }

  /** @return the CPUs the server may run on, as the kernel lists them ({@code Cpus_allowed_list}) */
  public String cpusAllowed() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "?";
  }

  /**
   * @return "epoll" once the server has loaded Netty's native epoll library (its sockets then use
   *     it unless {@code DROPCAST_NATIVE_TRANSPORT=false}), else "nio"
   */
  public String transport() throws IOException {
    try (var lines = Files.lines(Path.of("/proc", Long.toString(process.pid()), "maps"))) {
      return lines.anyMatch(l -> l.contains("netty_transport_native_epoll")) ? "epoll" : "nio";
    }
  }

  /** @return resident set size in bytes */
  public long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /**
   * Forces a full GC in the server ({@code jcmd GC.run}) and returns the heap in use afterwards, read
   * from the server's own Prometheus endpoint, without the eden space: a full GC of the parallel
   * collector leaves every live object in the old (and survivor) spaces and eden empty, and what
   * eden shows a moment later is not live data but the thread-local allocation buffers the server's
   * threads took since (tens of MB with a 2 GB heap, varying from one reading to the next).
   */
  public long heapAfterGcBytes() throws IOException, InterruptedException {
    jcmd("GC.run");
    Thread.sleep(300);
    String metrics = metricsText();
    long sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"") && !line.contains("Eden")) {
        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /**
   * Runs a diagnostic command in the server's JVM ({@code jcmd <pid> <command>}, the generator's JDK).
   *
   * @return whether it succeeded within 30 s
   */
  public boolean jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** @return every un-labelled-or-labelled sample of the server's /metrics, summed by metric name */
  public Map<String, Double> metrics() throws IOException, InterruptedException {
    String text = metricsText();
    Map<String, Double> sums = new java.util.HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = brace > 0 ? line.substring(0, brace) : line.substring(0, space);
      sums.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
    }
    return sums;
  }

  /**
   * @param name a histogram's name in the server's /metrics (e.g. {@code dropcast_media_relay_latency_seconds})
   * @return its cumulative bucket counts now (upper bound {@code le} → count; empty when absent)
   */
  public java.util.NavigableMap<Double, Double> histogram(String name) throws IOException, InterruptedException {
    String text = metricsText();
    java.util.NavigableMap<Double, Double> buckets = new java.util.TreeMap<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name)
        + "_bucket\\{le=\"([^\"]+)\"\\} (\\S+)$").matcher(text);
    while (m.find()) {
      buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
          Double.parseDouble(m.group(2)));
    }
    return buckets;
  }

  /**
   * @return the {@code q} quantile of what a histogram recorded between two reads of
   *     {@link #histogram} (the upper bound of the bucket it falls in, as Prometheus would bound it),
   *     or NaN when nothing was recorded
   */
  public static double quantile(java.util.NavigableMap<Double, Double> before, java.util.NavigableMap<Double, Double> after,
                                double q) {
    double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    if (total <= 0) {
      return Double.NaN;
    }
    for (Map.Entry<Double, Double> e : after.entrySet()) {
      if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= q * total) {
        return e.getKey();
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** @return the server's /metrics page (Prometheus text) */
  private String metricsText() throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl() + "/metrics"))
        .timeout(java.time.Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** @return the server's log so far */
  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
