package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.eventually;
import static io.dropcast.server.testing.Calls.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisClusterExtension;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes with {@code store=redis, redis.mode=cluster} on a real 3-master Redis Cluster, driven over
 * HTTP and the WebSocket: a buyer reserves on one node and checks out on the other, buyers on both
 * nodes never oversell, and each order reaches the {@code dc:orders} stream once.
 */
class SaleOnRedisClusterIT {
  @RegisterExtension
  static RedisClusterExtension cluster = new RedisClusterExtension();

  static TestNode east;
  static TestNode west;
  static SaleFixtures.Tenant brand;
  static Vertx vertx;
  static RedisStores observer;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> config = Map.of("store", "redis", "redis.mode", "cluster", "redis.url", cluster.url(),
        "redis.timeout-ms", "1000", "sale.tick-ms", "200");
    east = TestNode.start(config);
    west = TestNode.start(config);
    awaitReady(east);
    awaitReady(west);
    brand = SaleFixtures.tenant(east, "Cluster brand");
    vertx = Vertx.vertx();
    observer = cluster.connectStores(vertx);
  }

  @AfterAll
  static void stop() {
    east.close();
    west.close();
    Await.await(observer.close());
    Await.await(vertx.close());
  }

  static void awaitReady(TestNode node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    Rest.Response ready = node.rest().get("/ready", null);
    while (ready.status() != 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      ready = node.rest().get("/ready", null);
    }
    assertThat(ready.status()).as(ready.text()).isEqualTo(200);
    assertThat(ready.json().path("store").asText()).isEqualTo("UP");
  }

  private static List<StreamMessage<String, String>> streamEntriesOf(String orderId) {
    List<StreamMessage<String, String>> all = Await.await(observer.connector().call(c -> c.xrange("dc:orders", Range.create("-", "+"))));
    return all.stream().filter(m -> orderId.equals(m.getBody().get("order"))).toList();
  }

  @Test
  void a_buyer_reserves_on_one_node_and_checks_out_on_the_other() {
    String sale = brand.createSale(brand.liveSale(5, 2));
    try (DropcastClient annWest = west.connect(brand.token("ann"));
         DropcastClient annEast = east.connect(brand.token("ann"));
         DropcastClient eveEast = east.connect(brand.token("eve"))) {
      JsonNode hold = annWest.call("sale.reserve", null, Map.of("sale", sale, "quantity", 2, "idempotencyKey", "cart-1"));
      assertThat(hold.path("state").asText()).isEqualTo("held");
      String reservation = hold.path("reservation").asText();
      // The same key on the other node is the same reservation, not a second hold.
      assertThat(annEast.call("sale.reserve", null, Map.of("sale", sale, "quantity", 2, "idempotencyKey", "cart-1"))
          .path("reservation").asText()).isEqualTo(reservation);
      assertThat(errorOf(() -> eveEast.call("reservation.confirm", null, Map.of("reservation", reservation))))
          .isEqualTo(ErrorCode.FORBIDDEN);

      JsonNode order = annEast.call("reservation.confirm", null, Map.of("reservation", reservation)).path("order");
      assertThat(order.path("quantity").asInt()).isEqualTo(2);
      assertThat(order.path("buyerId").asText()).isEqualTo("ann");
      String orderId = order.path("id").asText();

      JsonNode audit = west.rest().get("/api/v1/sales/" + sale + "/audit", brand.apiKey()).json();
      assertThat(audit.path("sold").asLong()).isEqualTo(2);
      assertThat(audit.path("available").asLong()).isEqualTo(3);
      assertThat(audit.path("consistent").asBoolean()).as(audit.toString()).isTrue();
      assertThat(west.rest().get("/api/v1/orders?show=" + brand.showId(), brand.apiKey()).json().path("orders")
          .findValuesAsText("id")).contains(orderId);
      List<StreamMessage<String, String>> entries = eventually(() -> streamEntriesOf(orderId), e -> !e.isEmpty());
      assertThat(entries).hasSize(1);
      assertThat(entries.get(0).getBody()).containsEntry("sale", sale).containsEntry("brand", brand.brandId());
    }
  }

  @Test
  void sixty_socket_buyers_on_two_nodes_for_twenty_units_get_exactly_twenty() throws Exception {
    String sale = brand.createSale(brand.liveSale(20, 1));
    List<DropcastClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(30);
    try {
      for (int i = 0; i < 60; i++) {
        clients.add((i % 2 == 0 ? east : west).connect(brand.token("buyer-" + i)));
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> outcomes = new ArrayList<>();
      for (DropcastClient client : clients) {
        outcomes.add(pool.submit(() -> {
          go.await();
          try {
            JsonNode hold = client.call("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k"));
            return client.call("reservation.confirm", null, Map.of("reservation", hold.path("reservation").asText()))
                .path("order").path("id").asText();
          } catch (ProtocolException e) {
            return "error:" + e.code();
          }
        }));
      }
      go.countDown();
      List<String> results = new ArrayList<>();
      for (Future<String> outcome : outcomes) {
        results.add(outcome.get(60, TimeUnit.SECONDS));
      }
      List<String> orders = results.stream().filter(r -> r.startsWith("ord_")).toList();
      assertThat(orders).hasSize(20).doesNotHaveDuplicates();
      assertThat(results).filteredOn(r -> !r.startsWith("ord_")).containsOnly("error:" + ErrorCode.SOLD_OUT);
      JsonNode audit = east.rest().get("/api/v1/sales/" + sale + "/audit", brand.apiKey()).json();
      assertThat(audit.path("sold").asLong()).isEqualTo(20);
      assertThat(audit.path("available").asLong()).isZero();
      assertThat(audit.path("consistent").asBoolean()).as(audit.toString()).isTrue();
      for (String orderId : orders) {
        assertThat(eventually(() -> streamEntriesOf(orderId), e -> !e.isEmpty())).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
      clients.forEach(DropcastClient::close);
    }
  }
}
