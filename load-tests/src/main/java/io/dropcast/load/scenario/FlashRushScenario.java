package io.dropcast.load.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.load.BenchContext;
import io.dropcast.load.Fixture;
import io.dropcast.load.LoadSockets;
import io.dropcast.load.Params;
import io.dropcast.load.RedisProcess;
import io.dropcast.load.Scenario;
import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import io.dropcast.protocol.JsonCodec;
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
 */
public final class FlashRushScenario implements Scenario {
  @Override
  public String name() {
    return "flash-rush";
  }

  @Override
  public Map<String, String> shortParams() {
    return Map.of("buyers", "10000", "units", "1000", "limit", "2", "attempts", "3");
  }

  @Override
  public Map<String, String> smokeParams() {
    return Map.of("buyers", "100", "units", "20", "limit", "2", "attempts", "2");
  }

  @Override
  public ScenarioResult run(BenchContext ctx, Params p) throws Exception {
    int buyers = p.integer("buyers", 10000);
    int units = p.integer("units", 1000);
    int limit = p.integer("limit", 2);
    int attempts = p.integer("attempts", 3);
    int port = p.integer("port", 18403);
    int redisPort = p.integer("redisPort", 18479);
    ScenarioResult result = new ScenarioResult(name()).parameter("store", p.text("store", "redis"))
        .parameter("buyers", buyers).parameter("units", units)
        .parameter("perBuyerLimit", limit).parameter("attemptsPerBuyer", attempts);
    try (RedisProcess redis = RedisProcess.start(redisPort, ctx.serverCpus())) {
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

        Recorder latency = new Recorder(3);
        Map<Integer, long[]> sentAt = new ConcurrentHashMap<>();
        AtomicInteger replies = new AtomicInteger();
        AtomicInteger reserved = new AtomicInteger();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicLong lastReplyNanos = new AtomicLong();
        try (LoadSockets sockets = new LoadSockets(ctx.vertx(), 8, 1 << 16)) {
          List<WebSocket> all = sockets.open(port, buyers, 256, tokens::get, (i, frame) -> {
            String text = frame.toString();
            if (!text.startsWith("{\"type\":\"reply\"") && !text.contains("\"type\":\"reply\"")) {
              return;
            }
            JsonNode reply = JsonCodec.parse(text);
            String id = reply.path("id").asText("");
            if (!id.startsWith("r")) {
              return;
            }
            long now = System.nanoTime();
            long[] sent = sentAt.get(i);
            int attempt = Integer.parseInt(id.substring(1));
            latency.recordValue(Math.max(0, (now - sent[attempt]) / 1000));
            replies.incrementAndGet();
            lastReplyNanos.set(now);
            String outcome = reply.path("ok").asBoolean() ? "OK" : reply.path("error").path("code").asText();
            outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
            if (reply.path("ok").asBoolean()) {
              reserved.incrementAndGet();
            }
          }, null, null).get(600, TimeUnit.SECONDS);
          BenchContext.progress(name(), "%d buyers connected; opening the sale", buyers);
          brand.call("PATCH", "/api/v1/sales/" + saleId, Map.of("startsAt", Instant.now().plusSeconds(2).toString()));
          Thread.sleep(2300);
          double serverCpu0 = server.cpuSeconds();
          double redisCpu0 = redis.cpuSeconds();
          long start = System.nanoTime();
          ctx.vertx().runOnContext(v -> {
            for (int a = 0; a < attempts; a++) {
              for (int i = 0; i < buyers; i++) {
                long[] sent = sentAt.computeIfAbsent(i, k -> new long[attempts]);
                sent[a] = System.nanoTime();
                all.get(i).writeTextMessage("{\"id\":\"r" + a + "\",\"op\":\"sale.reserve\",\"data\":{\"sale\":\""
                    + saleId + "\",\"quantity\":1,\"idempotencyKey\":\"k" + a + "\"}}");
              }
            }
          });
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
          while (replies.get() < buyers * attempts && System.nanoTime() < deadline) {
            Thread.sleep(200);
            BenchContext.progress(name(), "%d/%d replies, %d reserved", replies.get(), buyers * attempts, reserved.get());
          }
          double seconds = (lastReplyNanos.get() - start) / 1e9;
          double serverCpu = server.cpuSeconds() - serverCpu0;
          double redisCpu = redis.cpuSeconds() - redisCpu0;
          var histogram = latency.getIntervalHistogram();
          result.latency("reserve request → reply", histogram);
          Verification v = onRedis ? verify(redis.url(), saleId, limit) : verifyOverRest(brand, saleId);
          double perSecond = replies.get() / Math.max(1e-6, seconds);
          result.figure("reserve requests", buyers * attempts)
              .figure("replies", replies.get())
              .figure("outcomes", new java.util.TreeMap<>(outcomes))
              .figure("reserved (held)", reserved.get())
              .figure("burst seconds (first send → last reply)", seconds)
              .figure("reserve replies/s", perSecond)
              .figure("server CPU seconds", serverCpu)
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
