package io.dropcast.server.sale;

import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.testing.RedisServerExtension;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flash sales on two (and, for a node's death, three) nodes sharing one real redis-server: buyers on
 * either node race for the same stock, returned stock is offered to a buyer waiting on the other node,
 * and a node that goes away mid-show loses nothing that was confirmed.
 */
class CrossNodeSaleIT {
  @RegisterExtension
  static RedisServerExtension redis = RedisServerExtension.owned();

  static TestNode a;
  static TestNode b;

  static Map<String, String> settings() {
    return Map.of("store", "redis", "redis.url", redis.url(), "live.coalesce-ms", "50", "sale.tick-ms", "200");
  }

  @BeforeAll
  static void start() {
    a = TestNode.start(settings());
    b = TestNode.start(settings());
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  static CompletableFuture<JsonNode> reserve(DropcastClient buyer, String sale, String key) {
    return buyer.request("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", key));
  }

  @Test
  void forty_buyers_on_two_nodes_racing_for_ten_units_buy_exactly_ten() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(a, "Race brand");
    String sale = t.createSale(t.liveSale(10, 1));
    List<DropcastClient> buyers = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        buyers.add((i % 2 == 0 ? a : b).connect(t.token("buyer-" + i)));
      }
      List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
      for (DropcastClient buyer : buyers) {
        calls.add(reserve(buyer, sale, "k1"));
      }
      int held = 0;
      int soldOut = 0;
      for (CompletableFuture<JsonNode> call : calls) {
        try {
          call.get(20, TimeUnit.SECONDS);
          held++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
          assertThat(((ProtocolException) e.getCause()).code()).isEqualTo(ErrorCode.SOLD_OUT);
          soldOut++;
        }
      }
      assertThat(held).isEqualTo(10);
      assertThat(soldOut).isEqualTo(30);
      Rest.Response audit = b.rest().get("/api/v1/sales/" + sale + "/audit", t.apiKey());
      assertThat(audit.status()).as(audit.text()).isEqualTo(200);
      assertThat(audit.json().path("held").asLong()).isEqualTo(10);
      assertThat(audit.json().path("available").asLong()).isZero();
      assertThat(audit.json().path("consistent").asBoolean()).isTrue();
    } finally {
      buyers.forEach(DropcastClient::close);
    }
  }

  @Test
  void viewers_on_both_nodes_see_the_remaining_stock_only_go_down_while_buyers_race_through_both() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(a, "Stock order brand");
    String sale = t.createSale(t.liveSale(30, 1));
    List<DropcastClient> buyers = new ArrayList<>();
    try (DropcastClient watchingA = a.connect(t.token("watcher-a"));
         DropcastClient watchingB = b.connect(t.token("watcher-b"))) {
      watchingA.join(t.showId());
      watchingB.join(t.showId());
      for (int i = 0; i < 60; i++) {
        buyers.add((i % 2 == 0 ? a : b).connect(t.token("racer-" + i)));
      }
      List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
      for (DropcastClient buyer : buyers) {
        calls.add(reserve(buyer, sale, "k").exceptionally(e -> null));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      for (DropcastClient viewer : List.of(watchingA, watchingB)) {
        List<Long> remaining = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 10_000;
        while ((remaining.isEmpty() || remaining.get(remaining.size() - 1) != 0) && System.currentTimeMillis() < deadline) {
          JsonNode e = viewer.pollEvent(200, TimeUnit.MILLISECONDS);
          if (e != null && e.path("event").asText().equals(Events.SALE_STOCK) && e.path("data").path("sale").asText().equals(sale)) {
            remaining.add(e.path("data").path("remaining").asLong());
          }
        }
        assertThat(remaining).as("sale.stock seen by one viewer").isNotEmpty().endsWith(0L);
        assertThat(remaining).as("stock read on two nodes, shown in order").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(remaining).as("each value once").doesNotHaveDuplicates();
      }
    } finally {
      buyers.forEach(DropcastClient::close);
    }
  }

  @Test
  void stock_released_on_node_a_is_offered_to_the_buyer_waiting_on_node_b() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(a, "Waitlist brand");
    String sale = t.createSale(t.liveSale(1, 1));
    try (DropcastClient first = a.connect(t.token("first"));
         DropcastClient waiting = b.connect(t.token("waiting"))) {
      String reservation = reserve(first, sale, "k").get(10, TimeUnit.SECONDS).path("reservation").asText();
      JsonNode queued = waiting.call("sale.waitlist", null, Map.of("sale", sale));
      assertThat(queued.path("position").asInt()).isEqualTo(1);

      first.call("reservation.release", null, Map.of("reservation", reservation));

      JsonNode offer = next(waiting, Events.RESERVATION);
      assertThat(offer.path("data").path("offer").asBoolean()).isTrue();
      assertThat(offer.path("data").path("buyerId").asText()).isEqualTo("waiting");
      JsonNode order = waiting.call("reservation.confirm", null,
          Map.of("reservation", offer.path("data").path("reservation").asText()));
      assertThat(order.path("order").path("quantity").asInt()).isEqualTo(1);
    }
  }

  @Test
  void a_node_that_goes_away_mid_show_loses_no_confirmed_order_and_its_viewers_recover_elsewhere() throws Exception {
    TestNode c = TestNode.start(settings());
    SaleFixtures.Tenant t = SaleFixtures.tenant(a, "Node loss brand");
    String sale = t.createSale(t.liveSale(20, 2));
    List<String> confirmed = new ArrayList<>();
    long lastSeq;
    try (DropcastClient viewer = c.connect(t.token("stayer"));
         DropcastClient host = a.connect(t.hostToken())) {
      viewer.join(t.showId());
      host.join(t.showId());
      for (int i = 0; i < 3; i++) {
        try (DropcastClient buyer = c.connect(t.token("buyer-" + i))) {
          String rsv = reserve(buyer, sale, "k").get(10, TimeUnit.SECONDS).path("reservation").asText();
          confirmed.add(buyer.call("reservation.confirm", null, Map.of("reservation", rsv))
              .path("order").path("id").asText());
        }
      }
      host.call("chat.send", t.showId(), Map.of("text", "before the node goes"));
      next(viewer, e -> e.path("event").asText().equals(Events.CHAT_MESSAGE), "chat on node C");
      lastSeq = viewer.lastSeq(t.showId());

      c.close(); // node C goes away: its sockets are closed (1001)
      assertThat(viewer.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(1001);
      host.call("chat.send", t.showId(), Map.of("text", "while you were away"));

      try (DropcastClient back = b.connect(t.token("stayer"))) {
        JsonNode recovery = back.rejoin(t.showId(), lastSeq);
        assertThat(recovery.path("recovered").asBoolean()).as(recovery.toString()).isTrue();
        JsonNode missed = next(back, e -> e.path("event").asText().equals(Events.CHAT_MESSAGE), "missed chat");
        assertThat(missed.path("data").path("text").asText()).isEqualTo("while you were away");
      }
    }
    Rest.Response orders = a.rest().get("/api/v1/orders?show=" + t.showId(), t.apiKey());
    assertThat(orders.status()).as(orders.text()).isEqualTo(200);
    assertThat(orders.json().path("orders").findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(confirmed);
    Rest.Response audit = a.rest().get("/api/v1/sales/" + sale + "/audit", t.apiKey());
    assertThat(audit.json().path("sold").asLong()).isEqualTo(3);
    assertThat(audit.json().path("consistent").asBoolean()).isTrue();
  }
}
