package io.dropcast.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.load.scenario.FanoutScenario;
import io.dropcast.load.scenario.FlashRushScenario;
import io.dropcast.load.scenario.IdleScenario;
import io.dropcast.load.scenario.MediaScenario;
import io.dropcast.protocol.JsonCodec;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark entry point.
 *
 * <pre>
 *   Bench all            short version of every scenario, summary table, JSON + HTML report
 *   Bench smoke          seconds-long version of every scenario (CI keeps them working)
 *   Bench &lt;scenario&gt; k=v…  one scenario with parameters
 * </pre>
 * The server runs as a separate process ({@code server/target/dropcast-server.jar}), pinned with
 * taskset to the cores in {@code -Dbench.serverCpus} (default: all but core 0 on a multi-core box);
 * run this generator pinned to core 0 ({@code load-tests/run} does).
 */
public final class Bench {
  private Bench() {}

  static List<Scenario> scenarios() {
    return List.of(new FanoutScenario(), new IdleScenario(), new FlashRushScenario(), new MediaScenario());
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: Bench all | smoke | <scenario> [key=value…]; scenarios: "
          + scenarios().stream().map(Scenario::name).toList());
      System.exit(2);
    }
    Path jar = Path.of(System.getProperty("bench.jar", "server/target/dropcast-server.jar"));
    if (!Files.isRegularFile(jar)) {
      System.err.println("server jar not found: " + jar + " (build it: ./mvnw -q -B -DskipTests package)");
      System.exit(2);
    }
    // The machine's CPUs, not the JVM's: load-tests/run pins this generator to core 0, where the JVM sees
    // one processor, and the server (a child process) inherits that pinning unless given its own cores.
    int cores = onlineCpus();
    String defaultCpus = cores > 1 ? "1-" + (cores - 1) : null;
    String serverCpus = System.getProperty("bench.serverCpus", defaultCpus == null ? "" : defaultCpus);
    String mode = args[0];
    // net=veth: the server in its own network namespace, see NetSplit (opt-in; loopback by default).
    // Checked with fanout only: a smoke run of idle and flash-rush over veth failed (not investigated).
    String netMode = Params.parse(args, 1).text("net", "loopback");
    if (!netMode.equals("loopback") && !mode.equals("fanout")) {
      System.err.println("net=" + netMode + " is supported for the fanout scenario only so far");
      System.exit(2);
    }
    String profile = Params.parse(args, 1).text("profile", "");
    if (!profile.isEmpty() && (!profile.equals("perf") || mode.equals("idle"))) {
      System.err.println("profile=" + profile + ": the only profiler is 'perf', for fanout, flash-rush and media");
      System.exit(2);
    }
    if (profile.equals("perf") && PerfProfile.unavailable() != null) {
      System.err.println("profile=perf: " + PerfProfile.unavailable());
      System.exit(2);
    }
    NetSplit net = NetSplit.open(netMode, serverCpus.isEmpty() ? null : serverCpus, 0);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    BenchContext ctx = new BenchContext(jar, vertx, serverCpus.isEmpty() ? null : serverCpus,
        System.getProperty("bench.heap", "2g"), net);
    List<ScenarioResult> results = new ArrayList<>();
    try {
      for (Scenario s : scenarios()) {
        Params params;
        if (mode.equals("all")) {
          params = Params.parse(args, 1).withDefaults(s.shortParams());
        } else if (mode.equals("smoke")) {
          params = Params.parse(args, 1).withDefaults(s.smokeParams());
        } else if (mode.equals(s.name())) {
          params = Params.parse(args, 1);
        } else {
          continue;
        }
        BenchContext.progress(s.name(), "starting with %s", params.asMap());
        results.add(s.run(ctx, params).parameter("net", net.mode()));
      }
    } finally {
      vertx.close();
      net.close();
    }
    if (results.isEmpty()) {
      System.err.println("unknown scenario '" + mode + "'");
      System.exit(2);
    }
    ObjectNode env = JsonCodec.mapper().createObjectNode()
        .put("date", LocalDateTime.now().toString())
        .put("mode", mode)
        .put("cores", cores)
        .put("serverCpus", serverCpus)
        .put("generatorCpus", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("loadAverageAtEnd", loadAverage());
    env.set("net", JsonCodec.mapper().valueToTree(net.description()));
    Path dir = Path.of(System.getProperty("bench.out", "load-tests/target/bench"),
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now()) + "-" + mode);
    Path html = Report.write(dir, results, env);
    System.out.println();
    System.out.println(Report.summary(results));
    System.out.println("report: " + html.toAbsolutePath());
    System.out.println("json:   " + dir.resolve("results.json").toAbsolutePath());
    boolean smokeFailed = mode.equals("smoke") && results.stream().anyMatch(r -> r.figures().isEmpty());
    System.exit(smokeFailed ? 1 : 0);
  }

  /** @return the machine's load average (1, 5, 15 min) as /proc/loadavg lists it, or "?" */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException | RuntimeException notLinux) {
      return "?";
    }
  }

  /** @return the number of CPUs online on this machine (all of them, whatever this process is pinned to) */
  static int onlineCpus() {
    try {
      return countCpus(Files.readString(Path.of("/sys/devices/system/cpu/online")).trim());
    } catch (java.io.IOException | RuntimeException notLinux) {
      return Runtime.getRuntime().availableProcessors();
    }
  }

  /** @return how many CPUs a kernel CPU list such as {@code 0-3,6} names */
  static int countCpus(String list) {
    int n = 0;
    for (String part : list.split(",")) {
      String[] range = part.split("-");
      n += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
    }
    return n;
  }

  static Map<String, String> map(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
