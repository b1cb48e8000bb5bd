package io.dropcast.load.scenario;

import io.dropcast.load.BenchContext;
import io.dropcast.load.Fixture;
import io.dropcast.load.LoadSockets;
import io.dropcast.load.Params;
import io.dropcast.load.RedisProcess;
import io.dropcast.load.Scenario;
import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * fanout: N viewers in one show; P moderators publish chat messages at a steady total rate. Every
 * message carries the publisher's {@code System.nanoTime()} (same JVM as the receivers), so one in
 * {@code sample} viewers measures publish→receive latency without parsing JSON at full rate.
 * Reports deliveries/s, deliveries per server-CPU-second and latency percentiles.
 *
 * <p>{@code nodes=K} (K > 1, or {@code store=redis}) runs K server processes on one private
 * redis-server, the viewers spread evenly over them and the publishers on the first: every event
 * then crosses Redis (one script + one pub/sub hop) before any node delivers it. The CPU figures sum
 * every node, and Redis is reported beside them.
 */
public final class FanoutScenario implements Scenario {
  private static final byte[] MARK = "t=".getBytes(StandardCharsets.US_ASCII);

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public Map<String, String> shortParams() {
    // 10,000 viewers × 20 events/s = 200,000 deliveries/s: about what one generator core can read
    // (the server's cost per delivery, the figure that matters, does not depend on the rate).
    return Map.of("viewers", "10000", "rate", "20", "duration", "20");
  }

  @Override
  public Map<String, String> smokeParams() {
    return Map.of("viewers", "100", "rate", "20", "duration", "3");
  }

  @Override
  public ScenarioResult run(BenchContext ctx, Params p) throws Exception {
    int viewers = p.integer("viewers", 10000);
    int rate = p.integer("rate", 100);
    int duration = p.integer("duration", 20);
    int publishers = p.integer("publishers", Math.max(1, (rate + 9) / 10));
    int sample = p.integer("sample", 10);
    int port = p.integer("port", 18401);
    int nodes = p.integer("nodes", 1);
    boolean onRedis = nodes > 1 || "redis".equals(p.text("store", "memory"));
    ScenarioResult result = new ScenarioResult(name()).parameter("viewers", viewers).parameter("rate", rate)
        .parameter("duration", duration).parameter("publishers", publishers).parameter("nodes", nodes)
        .parameter("store", onRedis ? "redis" : "memory");
    Map<String, String> settings = new HashMap<>(LiveSettings.forBenchmarks());
    List<ServerProcess> servers = new ArrayList<>();
    try (RedisProcess redis = onRedis ? RedisProcess.start(p.integer("redisPort", 18481), ctx.serverCpus()) : null) {
      if (redis != null) {
        settings.put("DROPCAST_STORE", "redis");
        settings.put("DROPCAST_REDIS_URL", redis.url());
      }
      for (int n = 0; n < nodes; n++) {
        servers.add(ctx.startServer(port + n, settings));
      }
      runShow(ctx, servers, redis, viewers, rate, duration, publishers, sample, result);
    } finally {
      for (ServerProcess server : servers) {
        server.close();
      }
    }
    return result;
  }

  private void runShow(BenchContext ctx, List<ServerProcess> servers, RedisProcess redis, int viewers, int rate,
                       int duration, int publishers, int sample, ScenarioResult result) throws Exception {
    ServerProcess server = servers.get(0);
    int port = server.port();
    Fixture brand = Fixture.create(server, "Fanout bench");
    String product = brand.product("FAN-1", 1000);
    String host = "host-fanout";
    String show = brand.show(host, List.of(product));
    String hostToken = brand.token("host", show, host);
    List<String> modTokens = new ArrayList<>();
    for (int i = 0; i < publishers; i++) {
      modTokens.add(brand.token("moderator", show, "mod-" + i));
    }
    LongAdder deliveries = new LongAdder();
    Recorder latency = new Recorder(3);
    AtomicInteger joined = new AtomicInteger();
    String join = "{\"id\":\"j\",\"op\":\"join\",\"show\":\"" + show + "\"}";
    try (LoadSockets sockets = new LoadSockets(ctx.vertx(), 8, 1 << 16)) {
      // the host goes live, then publishers join
      List<WebSocket> pubs = sockets.open(port, publishers + 1, 64, i -> i == 0 ? hostToken : modTokens.get(i - 1),
          (i, frame) -> { }, null, (i, ws) -> ws.writeTextMessage(join)).get(60, TimeUnit.SECONDS);
      Thread.sleep(500);
      pubs.get(0).writeTextMessage("{\"id\":\"go\",\"op\":\"show.start\",\"show\":\"" + show + "\"}");
      List<java.util.concurrent.CompletableFuture<List<WebSocket>>> opening = new ArrayList<>();
      for (int n = 0; n < servers.size(); n++) {
        int share = viewers / servers.size() + (n < viewers % servers.size() ? 1 : 0);
        opening.add(sockets.open(servers.get(n).port(), share, 256, null, (i, frame) -> {
          if (frame.length() < 2048 && isJoinReply(frame)) {
            joined.incrementAndGet();
            return;
          }
          int at = indexOf(frame, MARK);
          if (at < 0) {
            return;
          }
          deliveries.increment();
          if (i % sample == 0) {
            long sent = parseLong(frame, at + MARK.length);
            latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
          }
        }, null, (i, ws) -> ws.writeTextMessage(join)));
      }
      for (var open : opening) {
        open.get(300, TimeUnit.SECONDS);
      }
      long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (joined.get() < viewers && System.nanoTime() < joinDeadline) {
        BenchContext.progress(name(), "%d/%d viewers joined", joined.get(), viewers);
        Thread.sleep(1000);
      }
      latency.getIntervalHistogram(); // discard warm-up
      double cpu0 = cpuOf(servers);
      double kernel0 = kernelOf(servers);
      double redisCpu0 = redis == null ? 0 : redis.cpuSeconds();
      long d0 = deliveries.sum();
      long start = System.nanoTime();
      long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      long[] sent = {0};
      long timer = ctx.vertx().setPeriodic(Math.max(1, 1000 / rate), id -> {
        long due = (System.nanoTime() - start) / periodNanos;
        while (sent[0] < due && sent[0] < (long) rate * duration) {
          WebSocket ws = pubs.get(1 + (int) (sent[0] % publishers));
          ws.writeTextMessage("{\"id\":\"c" + sent[0] + "\",\"op\":\"chat.send\",\"show\":\"" + show
              + "\",\"data\":{\"text\":\"t=" + System.nanoTime() + ";\"}}");
          sent[0]++;
        }
      });
      long last = d0;
      for (int s = 1; s <= duration; s++) {
        Thread.sleep(1000);
        long now = deliveries.sum();
        result.throughputSample(s, now - last);
        BenchContext.progress(name(), "t=%ds deliveries/s=%,d cpu=%.1fs", s, now - last, cpuOf(servers) - cpu0);
        last = now;
      }
      ctx.vertx().cancelTimer(timer);
      Thread.sleep(1000);
      double cpu = cpuOf(servers) - cpu0;
      double kernel = kernelOf(servers) - kernel0;
      double redisCpu = redis == null ? 0 : redis.cpuSeconds() - redisCpu0;
      long total = deliveries.sum() - d0;
      double seconds = (System.nanoTime() - start) / 1e9;
      var histogram = latency.getIntervalHistogram();
      result.latency("publish→receive", histogram);
      result.throughputUnit("deliveries per second");
      double perCpu = total / Math.max(0.01, cpu);
      result.figure("messages published", sent[0])
          .figure("deliveries", total)
          .figure("expected deliveries", sent[0] * viewers)
          .figure("deliveries/s", total / seconds)
          .figure("server CPU seconds", cpu)
          .figure("server CPU in kernel (share)", kernel / Math.max(0.01, cpu))
          .figure("redis CPU seconds", redisCpu)
          .figure("deliveries per CPU-second, servers + redis", total / Math.max(0.01, cpu + redisCpu))
          .figure("deliveries per server-CPU-second", perCpu)
          .figure("p50 latency ms", histogram.getValueAtPercentile(50) / 1000.0)
          .figure("p99 latency ms", histogram.getValueAtPercentile(99) / 1000.0)
          .figure("p999 latency ms", histogram.getValueAtPercentile(99.9) / 1000.0)
          .target("deliveries per server-CPU-second", perCpu, ">=", 1_000_000, "")
          .target("p99 publish→receive", histogram.getValueAtPercentile(99) / 1000.0, "<=", 50, "ms");
      LiveSettings.serverFanoutFigures(server, result);
    }
  }

  /** @return CPU seconds (user + kernel) of every node */
  private static double cpuOf(List<ServerProcess> servers) throws java.io.IOException {
    double sum = 0;
    for (ServerProcess s : servers) {
      sum += s.cpuSeconds();
    }
    return sum;
  }

  /** @return kernel CPU seconds of every node */
  private static double kernelOf(List<ServerProcess> servers) throws java.io.IOException {
    double sum = 0;
    for (ServerProcess s : servers) {
      sum += s.cpuSplit()[1];
    }
    return sum;
  }

  private static boolean isJoinReply(Buffer frame) {
    return frame.toString(StandardCharsets.UTF_8).contains("\"id\":\"j\"");
  }

  static int indexOf(Buffer b, byte[] mark) {
    int n = b.length() - mark.length;
    outer:
    for (int i = 0; i <= n; i++) {
      for (int k = 0; k < mark.length; k++) {
        if (b.getByte(i + k) != mark[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static long parseLong(Buffer b, int from) {
    long v = 0;
    for (int i = from; i < b.length(); i++) {
      byte c = b.getByte(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
