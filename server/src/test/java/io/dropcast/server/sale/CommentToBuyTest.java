package io.dropcast.server.sale;

import static io.dropcast.server.testing.Calls.errorOf;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Comment-to-buy over real sockets, on a node with the in-memory store and the default keyword. */
class CommentToBuyTest {
  static TestNode node;
  static Rest rest;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("sale.tick-ms", "100"));
    rest = node.rest();
  }

  @AfterAll
  static void stop() {
    node.close();
  }


  static Map<String, Object> live(SaleFixtures.Tenant t, String productId, int quantity, int limit) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return t.saleBody(productId, quantity, limit, now.minusSeconds(1), now.plusSeconds(3600));
  }

  static JsonNode say(DropcastClient client, SaleFixtures.Tenant t, String text) {
    return client.call("chat.send", t.showId(), Map.of("text", text));
  }

  static void pin(DropcastClient host, SaleFixtures.Tenant t, String productId) {
    host.call("product.pin", t.showId(), Map.of("productId", productId));
  }

  static JsonNode audit(SaleFixtures.Tenant t, String sale) {
    return rest.get("/api/v1/sales/" + sale + "/audit", t.apiKey()).json();
  }

  /** @return every event received within {@code millis} (and already queued) */
  static List<JsonNode> drain(DropcastClient client, long millis) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (true) {
      JsonNode e = client.pollEvent(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null) {
        return out;
      }
      out.add(e);
    }
  }

  @Test
  void writing_SOLD_reserves_the_most_recently_pinned_sale_item_for_the_writer_alone() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Buy brand");
    String tentSale = t.createSale(live(t, t.productId(), 10, 5));
    String mugSale = t.createSale(live(t, t.secondProductId(), 10, 5));
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient ann = node.connect(t.token("ann"));
         DropcastClient bob = node.connect(t.token("bob"))) {
      host.join(t.showId());
      pin(host, t, t.productId());
      pin(host, t, t.secondProductId());
      ann.join(t.showId());
      bob.join(t.showId());

      JsonNode reply = say(ann, t, "SOLD");
      assertThat(reply.path("command").asText()).isEqualTo("buy");
      assertThat(reply.path("reservation").asText()).startsWith("rsv_");
      assertThat(reply.path("sale").asText()).as("the most recently pinned product's sale").isEqualTo(mugSale);
      assertThat(reply.path("productId").asText()).isEqualTo(t.secondProductId());
      assertThat(reply.path("buyerId").asText()).isEqualTo("ann");
      assertThat(reply.path("quantity").asInt()).isEqualTo(1);
      assertThat(reply.path("state").asText()).isEqualTo("held");
      assertThat(reply.path("messageId").asText()).startsWith("msg_");
      assertThat(reply.path("expiresAt").asText()).isNotEmpty();

      // Nobody sees the keyword message in chat; the reservation is answered to ann alone.
      List<JsonNode> bobSaw = drain(bob, 600);
      assertThat(bobSaw).extracting(e -> e.path("event").asText()).doesNotContain(Events.CHAT_MESSAGE, Events.RESERVATION)
          .contains(Events.SALE_STOCK);
      assertThat(bobSaw).filteredOn(e -> e.path("event").asText().equals(Events.SALE_STOCK))
          .last().satisfies(e -> assertThat(e.path("data").path("remaining").asLong()).isEqualTo(9));
      assertThat(drain(ann, 0)).extracting(e -> e.path("event").asText())
          .doesNotContain(Events.CHAT_MESSAGE, Events.RESERVATION);

      // Case-insensitive, with a quantity; every message is a new attempt (its own idempotency key).
      JsonNode two = say(ann, t, "  sold 2 ");
      assertThat(two.path("quantity").asInt()).isEqualTo(2);
      assertThat(two.path("reservation").asText()).isNotEqualTo(reply.path("reservation").asText());
      assertThat(two.path("messageId").asText()).isNotEqualTo(reply.path("messageId").asText());
      assertThat(audit(t, mugSale).path("held").asLong()).isEqualTo(3);

      // The chat history a late joiner gets has no keyword messages either.
      try (DropcastClient late = node.connect(t.token("late"))) {
        assertThat(late.join(t.showId()).path("chat").path("messages")).isEmpty();
      }

      // Unpinning the mug makes the tent the pinned sale item.
      host.call("product.unpin", t.showId(), Map.of("productId", t.secondProductId()));
      JsonNode tent = say(bob, t, "Sold");
      assertThat(tent.path("sale").asText()).isEqualTo(tentSale);
      assertThat(tent.path("buyerId").asText()).isEqualTo("bob");
      assertThat(audit(t, tentSale).path("held").asLong()).isEqualTo(1);
      assertThat(audit(t, tentSale).path("consistent").asBoolean()).isTrue();
    }
  }

  @Test
  void comment_to_buy_keeps_the_per_buyer_limit_and_answers_sold_out() {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Limit brand");
    String sale = t.createSale(live(t, t.productId(), 3, 2));
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient ann = node.connect(t.token("ann"));
         DropcastClient bob = node.connect(t.token("bob"))) {
      host.join(t.showId());
      pin(host, t, t.productId());
      ann.join(t.showId());
      bob.join(t.showId());

      assertThat(say(ann, t, "SOLD 2").path("quantity").asInt()).isEqualTo(2);
      assertThat(errorOf(() -> say(ann, t, "SOLD"))).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      assertThat(errorOf(() -> say(bob, t, "SOLD 0"))).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(errorOf(() -> say(bob, t, "SOLD 99999999999"))).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(errorOf(() -> say(bob, t, "SOLD 2"))).isEqualTo(ErrorCode.SOLD_OUT);
      assertThat(say(bob, t, "SOLD").path("sale").asText()).isEqualTo(sale);
      assertThat(errorOf(() -> say(host, t, "sold"))).isEqualTo(ErrorCode.SOLD_OUT);
      JsonNode audit = audit(t, sale);
      assertThat(audit.path("held").asLong()).isEqualTo(3);
      assertThat(audit.path("available").asLong()).isZero();
    }
  }

  @Test
  void keyword_inside_a_sentence_is_an_ordinary_chat_message() {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Chat brand");
    t.createSale(live(t, t.productId(), 3, 2));
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient ann = node.connect(t.token("ann"))) {
      host.join(t.showId());
      pin(host, t, t.productId());
      ann.join(t.showId());
      JsonNode message = say(ann, t, "SOLD out already?");
      assertThat(message.path("text").asText()).isEqualTo("SOLD out already?");
      assertThat(next(host, Events.CHAT_MESSAGE).path("data").path("text").asText()).isEqualTo("SOLD out already?");
    }
  }

  @Test
  void without_a_pinned_live_sale_the_writer_gets_a_clear_error() {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Nothing brand");
    Instant later = Instant.now().plusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    t.createSale(t.saleBody(t.secondProductId(), 5, 1, later, later.plusSeconds(600)));
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient ann = node.connect(t.token("ann"))) {
      host.join(t.showId());
      ann.join(t.showId());
      assertThat(errorOf(() -> say(ann, t, "SOLD"))).as("nothing pinned").isEqualTo(ErrorCode.NOT_FOUND);
      pin(host, t, t.productId());
      assertThat(errorOf(() -> say(ann, t, "SOLD"))).as("pinned product has no sale").isEqualTo(ErrorCode.NOT_FOUND);
      pin(host, t, t.secondProductId());
      assertThat(errorOf(() -> say(ann, t, "SOLD"))).as("pinned product's sale has not started")
          .isEqualTo(ErrorCode.NOT_STARTED);
    }
  }

  @Test
  void the_keyword_is_configurable() {
    try (TestNode other = TestNode.start(Map.of("sale.chat-keyword", "Mine"))) {
      SaleFixtures.Tenant t = SaleFixtures.tenant(other, "Mine brand");
      Rest.Response created = other.rest().post("/api/v1/sales", t.apiKey(), live(t, t.productId(), 5, 1));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      try (DropcastClient host = other.connect(t.hostToken());
           DropcastClient ann = other.connect(t.token("ann"))) {
        host.join(t.showId());
        pin(host, t, t.productId());
        ann.join(t.showId());
        assertThat(say(ann, t, "SOLD").path("text").asText()).as("an ordinary message here").isEqualTo("SOLD");
        assertThat(say(ann, t, "MINE").path("reservation").asText()).startsWith("rsv_");
      }
    }
  }
}
