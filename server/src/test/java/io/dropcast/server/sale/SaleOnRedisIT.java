package io.dropcast.server.sale;

import static io.dropcast.server.testing.Calls.errorOf;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.testing.RedisServerExtension;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node with {@code store=redis} against a real redis-server that this test stops and restarts
 * (append-only file, so data survives the restart as in production). Driven over HTTP and the
 * WebSocket.
 */
class SaleOnRedisIT {
  @RegisterExtension
  static RedisServerExtension redis = RedisServerExtension.ownedPersistent();

  static TestNode node;
  static Rest rest;
  static SaleFixtures.Tenant a;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(Map.of("store", "redis", "redis.url", redis.url(), "redis.timeout-ms", "2000",
        "sale.tick-ms", "200"));
    rest = node.rest();
    awaitReady(200, 10_000);
    a = SaleFixtures.tenant(node, "Brand A");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static void awaitReady(int status, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int last = -1;
    while (System.currentTimeMillis() < deadline) {
      last = rest.get("/ready", null).status();
      if (last == status) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("/ready stayed " + last + ", expected " + status);
  }

  static String createSale(int quantity, int limit) {
    Rest.Response r = rest.post("/api/v1/sales", a.apiKey(), a.liveSale(quantity, limit));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  static Rest.Response reserve(String saleId, String buyer, String key) {
    return rest.send("POST", "/api/v1/sales/" + saleId + "/reservations", a.apiKey(),
        Map.of("buyerId", buyer, "quantity", 1), Map.of("Idempotency-Key", key));
  }

  @Test
  void viewers_of_a_redis_node_hear_the_sale_start_and_coalesced_stock_down_to_zero() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Redis events brand");
    try (DropcastClient viewer = node.connect(t.token("ann"))) {
      viewer.join(t.showId());
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Rest.Response created = rest.post("/api/v1/sales", t.apiKey(), t.saleBody(30, 1, now.plusMillis(800), now.plusSeconds(3600)));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      String sale = created.json().path("id").asText();
      JsonNode scheduled = next(viewer, Events.SALE_SCHEDULED);
      JsonNode started = next(viewer, Events.SALE_STARTED);
      assertThat(started.path("data").path("sale").asText()).isEqualTo(sale);
      assertThat(started.path("data").path("remaining").asLong()).isEqualTo(30);
      assertThat(started.path("seq").asLong()).isGreaterThan(scheduled.path("seq").asLong());

      ExecutorService pool = Executors.newFixedThreadPool(30);
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String buyer = "buyer-" + i;
        calls.add(pool.submit(() -> rest.send("POST", "/api/v1/sales/" + sale + "/reservations", t.apiKey(),
            Map.of("buyerId", buyer, "quantity", 1), Map.of("Idempotency-Key", "k")).status()));
      }
      for (Future<Integer> call : calls) {
        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(201);
      }
      pool.shutdown();

      List<JsonNode> stock = new ArrayList<>();
      long lastSeq = started.path("seq").asLong();
      while (stock.isEmpty() || stock.get(stock.size() - 1).path("data").path("remaining").asLong() != 0) {
        JsonNode e = next(viewer, Events.SALE_STOCK);
        assertThat(e.path("seq").asLong()).isGreaterThan(lastSeq);
        lastSeq = e.path("seq").asLong();
        stock.add(e);
      }
      assertThat(stock).as("30 reservations coalesce into a few stock events").hasSizeLessThan(15);

      // A late joiner reads the live sale and its stock (from Redis) in the join snapshot.
      try (DropcastClient late = node.connect(t.token("late"))) {
        JsonNode sales = late.join(t.showId()).path("sales");
        assertThat(sales.findValuesAsText("id")).containsExactly(sale);
        assertThat(sales.get(0).path("state").asText()).isEqualTo("live");
        assertThat(sales.get(0).path("remaining").asLong()).isZero();
      }
    }
  }

  @Test
  void comment_to_buy_reserves_the_pinned_sale_item_on_redis() {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Redis chat brand");
    Rest.Response created = rest.post("/api/v1/sales", t.apiKey(), t.liveSale(5, 2));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String sale = created.json().path("id").asText();
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient ann = node.connect(t.token("ann"))) {
      host.join(t.showId());
      host.call("product.pin", t.showId(), Map.of("productId", t.productId()));
      ann.join(t.showId());
      JsonNode reply = ann.call("chat.send", t.showId(), Map.of("text", "sold 2"));
      assertThat(reply.path("command").asText()).isEqualTo("buy");
      assertThat(reply.path("sale").asText()).isEqualTo(sale);
      assertThat(reply.path("quantity").asInt()).isEqualTo(2);
      assertThat(errorOf(() -> ann.call("chat.send", t.showId(), Map.of("text", "SOLD")))).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      JsonNode audit = rest.get("/api/v1/sales/" + sale + "/audit", t.apiKey()).json();
      assertThat(audit.path("held").asLong()).isEqualTo(2);
      assertThat(audit.path("consistent").asBoolean()).isTrue();
    }
  }

  @Test
  void a_sale_being_created_is_not_dropped_by_a_tick_that_sees_its_index_before_the_sale() throws Exception {
    // Creating a sale indexes it as active, then writes it; a tick in between finds an id and no sale.
    // (Dropping it there once left a sale never announced, never swept: found by CrossNodeShowIT.)
    int port = java.net.URI.create(redis.url()).getPort();
    io.dropcast.server.testing.RedisProcesses.command(port, "SADD", "dc:sales:active", "sal_being_created");
    Thread.sleep(1_000); // five ticks of this node
    assertThat(io.dropcast.server.testing.RedisProcesses.command(port, "SISMEMBER", "dc:sales:active", "sal_being_created"))
        .as("still ticked").isEqualTo("1");
  }

  @Test
  void node_on_redis_is_ready() {
    Rest.Response ready = rest.get("/ready", null);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().path("store").asText()).isEqualTo("UP");
  }

  @Test
  void thousand_concurrent_buyers_over_http_for_a_hundred_units_buy_exactly_a_hundred() throws Exception {
    String sale = createSale(100, 1);
    ExecutorService pool = Executors.newFixedThreadPool(100);
    AtomicInteger held = new AtomicInteger();
    AtomicInteger soldOut = new AtomicInteger();
    Set<String> reservations = ConcurrentHashMap.newKeySet();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String buyer = "buyer-" + i;
      calls.add(pool.submit(() -> {
        go.await();
        Rest.Response r = reserve(sale, buyer, "k");
        // A client retries UNAVAILABLE (this node's Redis timeout is 2 s, and a loaded test machine
        // can exceed it) with the same idempotency key: the outcome must still be exact.
        for (int retry = 0; retry < 10 && "UNAVAILABLE".equals(r.errorCode()); retry++) {
          r = reserve(sale, buyer, "k");
        }
        if (r.status() == 201) {
          held.incrementAndGet();
          reservations.add(r.json().path("reservation").asText());
        } else if ("SOLD_OUT".equals(r.errorCode())) {
          soldOut.incrementAndGet();
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> call : calls) {
      call.get(60, TimeUnit.SECONDS);
    }
    // Every hold is confirmed: exactly 100 orders.
    List<Future<Integer>> confirms = new ArrayList<>();
    for (String rsv : reservations) {
      confirms.add(pool.submit(() -> {
        // Confirming again returns the same order, so a checkout retries UNAVAILABLE as it does for reserves.
        Rest.Response r = rest.post("/api/v1/reservations/" + rsv + "/confirm", a.apiKey(), null);
        for (int attempt = 0; r.status() == 503 && attempt < 20; attempt++) {
          Thread.sleep(50);
          r = rest.post("/api/v1/reservations/" + rsv + "/confirm", a.apiKey(), null);
        }
        return r.status();
      }));
    }
    for (Future<Integer> c : confirms) {
      assertThat(c.get(60, TimeUnit.SECONDS)).isEqualTo(200);
    }
    pool.shutdown();
    assertThat(held.get()).isEqualTo(100);
    assertThat(soldOut.get()).isEqualTo(900);
    JsonNode audit = rest.get("/api/v1/sales/" + sale + "/audit", a.apiKey()).json();
    assertThat(audit.path("sold").asLong()).isEqualTo(100);
    assertThat(audit.path("available").asLong()).isZero();
    assertThat(audit.path("consistent").asBoolean()).isTrue();
    long orders = 0;
    for (JsonNode o : rest.get("/api/v1/orders?show=" + a.showId(), a.apiKey()).json().path("orders")) {
      if (o.path("saleId").asText().equals(sale)) {
        orders++;
      }
    }
    assertThat(orders).isEqualTo(100);
  }

  @Test
  void redis_restarted_mid_sale_fails_fast_then_recovers_with_the_audit_invariant_intact() throws Exception {
    String sale = createSale(300, 1);
    for (int i = 0; i < 50; i++) {
      assertThat(reserve(sale, "early-" + i, "k").status()).isEqualTo(201);
    }
    // 200 buyers keep retrying with the same idempotency key while Redis goes down and comes back: the
    // first 100 start before the outage (some may get through before it), the other 100 once the node
    // reports Redis down, so the outage is crossed whatever the timing.
    ExecutorService pool = Executors.newFixedThreadPool(40);
    Set<String> reservations = ConcurrentHashMap.newKeySet();
    AtomicInteger unavailable = new AtomicInteger();
    CountDownLatch redisDown = new CountDownLatch(1);
    List<Future<?>> buyers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String buyer = "buyer-" + i;
      boolean duringOutage = i >= 100;
      buyers.add(pool.submit(() -> {
        if (duringOutage) {
          redisDown.await();
        }
        long deadline = System.currentTimeMillis() + 40_000;
        while (System.currentTimeMillis() < deadline) {
          Rest.Response r = reserve(sale, buyer, "retry-key");
          if (r.status() == 201) {
            reservations.add(r.json().path("reservation").asText());
            return null;
          }
          assertThat(r.errorCode()).as(r.text()).isEqualTo("UNAVAILABLE");
          unavailable.incrementAndGet();
          Thread.sleep(50);
        }
        throw new AssertionError(buyer + " never got through");
      }));
    }
    Thread.sleep(30);
    redis.stop();
    awaitReady(503, 5_000);
    redisDown.countDown();
    long t0 = System.nanoTime();
    Rest.Response down = reserve(sale, "while-down", "k");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.errorCode()).isEqualTo("UNAVAILABLE");
    assertThat(tookMs).as("rejected at once, not after the 2 s command timeout").isLessThan(1_500);
    Thread.sleep(500);
    redis.start();
    awaitReady(200, 20_000);
    for (Future<?> b : buyers) {
      b.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(reservations).hasSize(200);
    assertThat(unavailable.get()).isPositive();
    JsonNode audit = rest.get("/api/v1/sales/" + sale + "/audit", a.apiKey()).json();
    assertThat(audit.path("consistent").asBoolean()).as(audit.toString()).isTrue();
    // Exactly one hold per buyer, however many retries crossed the outage.
    assertThat(audit.path("held").asLong()).isEqualTo(250);
    assertThat(audit.path("available").asLong()).isEqualTo(50);
  }
}
