package io.dropcast.server.sale;

import static io.dropcast.server.testing.Calls.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A user banned from a show cannot buy in that show's sales, over real sockets (memory store). */
class BannedBuyerTest {
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


  @Test
  void banned_viewer_cannot_reserve_waitlist_or_comment_to_buy_until_unbanned() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Ban brand");
    String sale = t.createSale(t.liveSale(10, 5));
    Map<String, Object> showless = t.liveSale(10, 5);
    showless.remove("showId");
    String showlessSale = t.createSale(showless);
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient troll = node.connect(t.token("troll"))) {
      host.join(t.showId());
      host.call("product.pin", t.showId(), Map.of("productId", t.productId()));
      troll.join(t.showId());
      host.call("chat.ban", t.showId(), Map.of("userId", "troll"));
      assertThat(troll.closed().get(5, TimeUnit.SECONDS).code()).isEqualTo(Protocol.CLOSE_BANNED);

      try (DropcastClient again = node.connect(t.token("troll"))) {
        assertThat(errorOf(() -> again.call("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k1"))))
            .isEqualTo(ErrorCode.BANNED);
        assertThat(errorOf(() -> again.call("sale.waitlist", null, Map.of("sale", sale))))
            .isEqualTo(ErrorCode.BANNED);
        // Comment-to-buy: the banned user cannot get back into the show, so "SOLD" is never run.
        assertThat(errorOf(() -> again.join(t.showId()))).isEqualTo(ErrorCode.BANNED);
        assertThat(errorOf(() -> again.call("chat.send", t.showId(), Map.of("text", "SOLD"))))
            .as("not in the show").isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(rest.get("/api/v1/sales/" + sale + "/audit", t.apiKey()).json().path("held").asLong())
            .as("nothing was reserved for the banned user").isZero();

        // A sale that belongs to no show is unaffected by show bans.
        assertThat(again.call("sale.reserve", null, Map.of("sale", showlessSale, "idempotencyKey", "k2")).path("state").asText())
            .isEqualTo("held");

        // Unbanned: the user may buy again, also with comment-to-buy.
        host.call("chat.unban", t.showId(), Map.of("userId", "troll"));
        assertThat(again.call("sale.reserve", null, Map.of("sale", sale, "idempotencyKey", "k3")).path("state").asText()).isEqualTo("held");
        again.join(t.showId());
        assertThat(again.call("chat.send", t.showId(), Map.of("text", "SOLD")).path("command").asText())
            .isEqualTo("buy");
      }
    }
  }

  @Test
  void a_ban_in_one_show_does_not_stop_buying_in_another_show() {
    SaleFixtures.Tenant banning = SaleFixtures.tenant(node, "Banning brand");
    SaleFixtures.Tenant other = SaleFixtures.tenant(node, "Other brand");
    String otherSale = other.createSale(other.liveSale(10, 5));
    try (DropcastClient host = node.connect(banning.hostToken());
         DropcastClient otherHost = node.connect(other.hostToken());
         DropcastClient buyer = node.connect(other.token("troll"))) {
      host.join(banning.showId());
      otherHost.join(other.showId());
      host.call("chat.ban", banning.showId(), Map.of("userId", "troll"));
      assertThat(buyer.call("sale.reserve", null, Map.of("sale", otherSale, "idempotencyKey", "k4")).path("state").asText()).isEqualTo("held");
    }
  }
}
