package io.dropcast.load.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.load.BenchContext;
import io.dropcast.load.Fixture;
import io.dropcast.load.LoadSockets;
import io.dropcast.load.Params;
import io.dropcast.load.PerfProfile;
import io.dropcast.load.RedisProcess;
import io.dropcast.load.Scenario;
import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.http.WebSocket;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * flash-rush: M buyers, each on its own socket with its own token, race for S units the moment a
 * sale opens, on a private Redis. Measures reserve replies/s and reserve latency; afterwards verifies
 * the invariant from Redis itself: available + held + sold == allotted, no buyer above the limit,
 * every held/confirmed unit backed by exactly one reservation record.
 *
 * <p>Before the measured rush the same buyers rush fresh sales at least {@code warmup} times (default
 * 2) and until the server's JIT compiler threads use less than 5 % of its CPU (at most
 * {@code warmupMax}, default 20, rounds), so the measured one runs on compiled code ({@code warmup=0}
 * measures a cold server, where most of the rush runs interpreted while the compiler threads take the
 * server's core).
 * Requests leave at most {@code slice} per millisecond (default 500) so the generator's one event loop
 * reads replies while it is still sending.
 */
public final class FlashRushScenario implements Scenario {
  @Override
  public String name() {
    return "flash-rush";
  }

  @Override
  public Map<String, String> shortParams() {
    return Map.of("buyers", "10000", "units", "1000", "limit", "2", "attempts", "3", "warmup", "2", "warmupMax", "5");
  }

  @Override
  public Map<String, String> smokeParams() {
    return Map.of("buyers", "100", "units", "20", "limit", "2", "attempts", "2", "warmup", "1", "warmupMax", "1");
  }

  @Override
  public ScenarioResult run(BenchContext ctx, Params p) throws Exception {
    int buyers = p.integer("buyers", 10000);
    int units = p.integer("units", 1000);
    int limit = p.integer("limit", 2);
    int attempts = p.integer("attempts", 3);
    int port = p.integer("port", 18403);
    int redisPort = p.integer("redisPort", 18479);
    int warmup = p.integer("warmup", 2);
    int warmupMax = Math.max(warmup, p.integer("warmupMax", 20));
    int slice = p.integer("slice", 500);
    ScenarioResult result = new ScenarioResult(name()).parameter("store", p.text("store", "redis"))
        .parameter("buyers", buyers).parameter("units", units)
        .parameter("perBuyerLimit", limit).parameter("attemptsPerBuyer", attempts)
        .parameter("warmupRounds", warmup + ".." + warmupMax).parameter("requestsPerMs", slice);
    // redisCpus: where Redis runs (default the server's cores; e.g. 0 puts it beside the generator, so the
    // server has its core to itself, as with Redis on its own host).
    String redisCpus = p.text("redisCpus", null);
    result.parameter("redisCpus", redisCpus == null ? "the server's" : redisCpus);
    try (RedisProcess redis = ctx.startRedis(redisPort, redisCpus)) {
      Map<String, String> settings = new HashMap<>(LiveSettings.forBenchmarks());
      boolean onRedis = !"memory".equals(p.text("store", "redis"));
      settings.put("DROPCAST_STORE", onRedis ? "redis" : "memory");
      settings.put("DROPCAST_REDIS_URL", redis.url());
      try (ServerProcess server = ctx.startServer(port, settings)) {
        Fixture brand = Fixture.create(server, "Rush bench");
        String product = brand.product("RUSH-1", 4900);
        String show = brand.show("host-rush", List.of(product));
        JsonNode sale = brand.call("POST", "/api/v1/sales", Map.of("productId", product, "showId", show,
            "priceMinor", 1990, "quantity", units, "perBuyerLimit", limit, "holdSeconds", 600,
            "startsAt", Instant.now().plusSeconds(3600).toString(), "endsAt", Instant.now().plusSeconds(7200).toString()));
        String saleId = sale.path("id").asText();
        BenchContext.progress(name(), "minting %d buyer tokens", buyers);
        List<String> tokens = brand.tokens("viewer", show, "buyer-", buyers);

        Burst[] current = new Burst[1];
        try (LoadSockets sockets = ctx.sockets(1 << 16)) {
          List<WebSocket> all = sockets.open(port, buyers, 256, tokens::get, (i, frame) -> {
            Burst burst = current[0];
            if (burst != null) {
              burst.onFrame(i, frame.toString());
            }
          }, null, null).get(600, TimeUnit.SECONDS);
          BenchContext.progress(name(), "%d buyers connected", buyers);
          // Warm-up: the same rush against fresh sales first (each just opened, with the same units, so every
          // round takes the same paths as the measured one: first the holds, then sold out), at least `warmup`
          // rounds, then more (up to warmupMax) while the server's JIT compilers still take more than 5 % of its
          // CPU: on a busy machine compilation lags the requests that trigger it. A cold rush (warmup=0) runs
          // mostly interpreted while the compiler threads take the server's core.
          for (int round = 1; warmup > 0 && round <= warmupMax; round++) {
            String warmSale = brand.call("POST", "/api/v1/sales", Map.of("productId", product, "showId", show,
                "priceMinor", 1990, "quantity", units, "perBuyerLimit", limit, "holdSeconds", 600,
                "startsAt", Instant.now().plusMillis(300).toString(), "endsAt", Instant.now().plusSeconds(7200).toString()))
                .path("id").asText();
            Thread.sleep(400); // opens just before the rush, like the measured sale (same branches in the JIT's profile)
            double cpu0 = server.cpuSeconds();
            double jit0 = server.jitCpuSeconds();
            Burst w = new Burst("w", buyers, attempts, warmSale);
            current[0] = w;
            w.run(ctx, all, slice);
            Thread.sleep(500); // compilations the round queued
            double jitShare = (server.jitCpuSeconds() - jit0) / Math.max(0.01, server.cpuSeconds() - cpu0);
            BenchContext.progress(name(), "warm-up round %d: %,.0f replies/s, JIT %.0f %% of server CPU",
                round, w.perSecond(), jitShare * 100);
            if (round >= warmup && jitShare < 0.05) {
              break;
            }
          }
          BenchContext.progress(name(), "opening the sale");
          open(brand, saleId);
          Burst burst = new Burst("r", buyers, attempts, saleId);
          current[0] = burst;
          double serverCpu0 = server.cpuSeconds();
          double jitCpu0 = server.jitCpuSeconds();
          double[] split0 = server.cpuSplit();
          double generatorCpu0 = ServerProcess.cpuSecondsOf(ProcessHandle.current().pid());
          double redisCpu0 = redis.cpuSeconds();
          PerfProfile profile = PerfProfile.start(p.text("profile", ""), server);
          burst.run(ctx, all, slice);
          if (profile != null) {
            profile.stopInto(result);
          }
          double seconds = burst.seconds();
          double serverCpu = server.cpuSeconds() - serverCpu0;
          double[] split = server.cpuSplit();
          double jitCpu = server.jitCpuSeconds() - jitCpu0;
          double generatorCpu = ServerProcess.cpuSecondsOf(ProcessHandle.current().pid()) - generatorCpu0;
          double redisCpu = redis.cpuSeconds() - redisCpu0;
          var histogram = burst.latency.getIntervalHistogram();
          AtomicInteger replies = burst.replies;
          AtomicInteger reserved = burst.reserved;
          Map<String, AtomicInteger> outcomes = burst.outcomes;
          result.latency("reserve request → reply", histogram);
          Verification v = onRedis ? verify(redis.url(), saleId, limit) : verifyOverRest(brand, saleId);
          double perSecond = burst.perSecond();
          result.figure("reserve requests", buyers * attempts)
              .figure("replies", replies.get())
              .figure("outcomes", new java.util.TreeMap<>(outcomes))
              .figure("reserved (held)", reserved.get())
              .figure("burst seconds (first send → last reply)", seconds)
              .figure("reserve replies/s", perSecond)
              .figure("server CPU seconds", serverCpu)
              .figure("server CPU in kernel (share)", (split[1] - split0[1]) / Math.max(0.01, serverCpu))
              .figure("server CPU in JIT compiler threads (share)", jitCpu / Math.max(0.01, serverCpu))
              .figure("server CPU µs per reply", serverCpu * 1e6 / Math.max(1, replies.get()))
              .figure("server CPU µs per reply without JIT threads", (serverCpu - jitCpu) * 1e6 / Math.max(1, replies.get()))
              .figure("replies per server-CPU-second", replies.get() / Math.max(0.01, serverCpu))
              .figure("server busy (CPU-s per wall-s)", serverCpu / Math.max(1e-6, seconds))
              .figure("generator CPU seconds", generatorCpu)
              .figure("redis CPU seconds", redisCpu)
              .figure("p50 reserve ms", histogram.getValueAtPercentile(50) / 1000.0)
              .figure("p99 reserve ms", histogram.getValueAtPercentile(99) / 1000.0)
              .figure("redis: allotted/available/held/sold", v.allotted + "/" + v.available + "/" + v.held + "/" + v.sold)
              .figure("redis: invariant holds", v.invariant)
              .figure("redis: max units per buyer", v.maxPerBuyer)
              .figure("redis: reservation records match counters", v.recordsMatch)
              .figure("oversold", v.held + v.sold > v.allotted)
              .target("verified reservations/s", v.invariant && v.recordsMatch ? perSecond : 0, ">=", 100_000, "")
              .target("p99 reserve", histogram.getValueAtPercentile(99) / 1000.0, "<=", 10, "ms");
          if (!v.invariant || !v.recordsMatch || v.maxPerBuyer > limit || reserved.get() != v.held + v.sold) {
            result.figure("VERIFICATION FAILED", true);
          }
        }
      }
    }
    return result;
  }

  /** Moves a scheduled sale's start to 2 s from now and waits until it has started. */
  private static void open(Fixture brand, String saleId) throws Exception {
    brand.call("PATCH", "/api/v1/sales/" + saleId, Map.of("startsAt", Instant.now().plusSeconds(2).toString()));
    Thread.sleep(2300);
  }

  /**
   * One rush: every buyer sends {@code attempts} reserve requests for one sale, attempt 0 of every buyer first.
   * Requests leave at most {@code perMs} per millisecond, each tick on the generator's event loop, so the
   * loop reads replies between ticks: a request's latency runs from its own write to its reply instead of
   * including the time the generator spent writing the rest of the rush. Reply ids are {@code <tag><attempt>};
   * replies of another burst are ignored. Counters are updated on the generator's loop and read by the
   * benchmark's main thread.
   */
  static final class Burst {
    final String tag;
    final int buyers;
    final int attempts;
    final String saleId;
    final long[][] sentAt;
    final Recorder latency = new Recorder(3);
    final AtomicInteger replies = new AtomicInteger();
    final AtomicInteger reserved = new AtomicInteger();
    final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    final AtomicLong lastReplyNanos = new AtomicLong();
    volatile long startNanos;

    Burst(String tag, int buyers, int attempts, String saleId) {
      this.tag = tag;
      this.buyers = buyers;
      this.attempts = attempts;
      this.saleId = saleId;
      this.sentAt = new long[buyers][attempts];
    }

    /**
     * Called on the generator's loop for every text frame of buyer {@code i}. Reads the reply's id, ok and
     * error code by position instead of building a JSON tree: the generator reads as many replies per second
     * as the server writes, on one core, so its cost per reply bounds what the run can show.
     */
    void onFrame(int i, String text) {
      if (!text.contains(REPLY_TYPE)) {
        return;
      }
      String id = field(text, "\"id\":\"");
      if (id == null || !id.startsWith(tag)) {
        return;
      }
      long now = System.nanoTime();
      int attempt = Integer.parseInt(id.substring(tag.length()));
      latency.recordValue(Math.max(0, (now - sentAt[i][attempt]) / 1000));
      replies.incrementAndGet();
      lastReplyNanos.set(now);
      boolean ok = text.contains("\"ok\":true");
      String code = ok ? "OK" : field(text, "\"code\":\"");
      outcomes.computeIfAbsent(code == null ? "?" : code, k -> new AtomicInteger()).incrementAndGet();
      if (ok) {
        reserved.incrementAndGet();
      }
    }

    /** Every reply the server writes holds this (protocol {@code Reply}). */
    static final String REPLY_TYPE = "\"type\":\"reply\"";

    /** @return the string value after {@code key} (ids and codes hold no quotes or escapes), or null */
    static String field(String text, String key) {
      int at = text.indexOf(key);
      if (at < 0) {
        return null;
      }
      int from = at + key.length();
      int to = text.indexOf('"', from);
      return to < 0 ? null : text.substring(from, to);
    }

    /** Sends the rush and waits (up to 120 s) for every reply. */
    void run(BenchContext ctx, List<WebSocket> sockets, int perMs) throws InterruptedException {
      int total = buyers * attempts;
      int[] next = {0};
      startNanos = System.nanoTime();
      ctx.vertx().runOnContext(v -> {
        Runnable tick = () -> {
          int end = Math.min(total, next[0] + perMs);
          for (int k = next[0]; k < end; k++) {
            int a = k / buyers;
            int i = k % buyers;
            sentAt[i][a] = System.nanoTime();
            sockets.get(i).writeTextMessage("{\"id\":\"" + tag + a + "\",\"op\":\"sale.reserve\",\"data\":{\"sale\":\""
                + saleId + "\",\"quantity\":1,\"idempotencyKey\":\"k" + a + "\"}}");
          }
          next[0] = end;
        };
        tick.run();
        if (next[0] < total) {
          ctx.vertx().setPeriodic(1, id -> {
            tick.run();
            if (next[0] >= total) {
              ctx.vertx().cancelTimer(id);
            }
          });
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (replies.get() < total && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }

    /** @return seconds from the first request to the last reply */
    double seconds() {
      return (lastReplyNanos.get() - startNanos) / 1e9;
    }

    double perSecond() {
      return replies.get() / Math.max(1e-6, seconds());
    }
  }

  /** What Redis itself says about the sale after the rush. */
  record Verification(long allotted, long available, long held, long sold, boolean invariant, long maxPerBuyer,
                      boolean recordsMatch) {}

  /** For store=memory (a comparison run): the audit as the server reports it over REST. */
  static Verification verifyOverRest(Fixture brand, String saleId) throws Exception {
    JsonNode a = brand.call("GET", "/api/v1/sales/" + saleId + "/audit", null);
    return new Verification(a.path("allotted").asLong(), a.path("available").asLong(), a.path("held").asLong(),
        a.path("sold").asLong(), a.path("consistent").asBoolean(), -1, true);
  }

  static Verification verify(String url, String saleId, int limit) {
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      String prefix = "dc:{sale:" + saleId + "}:";
      Map<String, String> stock = r.hgetall(prefix + "stock");
      long allotted = Long.parseLong(stock.getOrDefault("allotted", "0"));
      long available = Long.parseLong(stock.getOrDefault("available", "0"));
      long held = Long.parseLong(stock.getOrDefault("held", "0"));
      long sold = Long.parseLong(stock.getOrDefault("sold", "0"));
      Map<String, Long> perBuyer = new HashMap<>();
      long heldRecords = 0;
      long soldRecords = 0;
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = r.scan(cursor, ScanArgs.Builder.matches(prefix + "r:*").limit(1000));
        for (String key : page.getKeys()) {
          Map<String, String> rsv = r.hgetall(key);
          long qty = Long.parseLong(rsv.getOrDefault("qty", "0"));
          String state = rsv.getOrDefault("state", "");
          if (state.equals("held")) {
            heldRecords += qty;
          } else if (state.equals("confirmed")) {
            soldRecords += qty;
          }
          if (state.equals("held") || state.equals("confirmed")) {
            perBuyer.merge(rsv.get("buyer"), qty, Long::sum);
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
      long max = perBuyer.values().stream().mapToLong(Long::longValue).max().orElse(0);
      boolean invariant = available >= 0 && held >= 0 && sold >= 0 && available + held + sold == allotted;
      return new Verification(allotted, available, held, sold, invariant, max, heldRecords == held && soldRecords == sold);
    } finally {
      client.shutdown();
    }
  }
}
