package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsScenario.awaitJson;
import static io.dropcast.server.testing.Calls.errorOf;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Calls;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A scripted show on one node (memory store): known viewers (one reconnects), a pin, clicks,
 * shares, reactions, chat and purchases; the analytics endpoint then reports exactly those numbers.
 * Also the host-only live stats and the viewers' social proof.
 */
class ShowAnalyticsTest {
  static TestNode node;
  static ShowFixture brand;

  @BeforeAll
  static void start() {
    node = TestNode.start(AnalyticsScenario.fastAnalytics(Map.of()));
    brand = ShowFixture.brand(node, "Analytics brand");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void a_scripted_show_reports_exactly_what_happened() throws Exception {
    Show show = brand.show(false);
    String p1 = brand.products().get(0).id();
    String p2 = brand.products().get(1).id();
    String sale = AnalyticsScenario.sale(node, brand.apiKey(), p1, show.id(), 10);
    String path = "/api/v1/shows/" + show.id() + "/analytics";

    DropcastClient host = brand.joined(brand.hostToken(show), show);
    host.call("show.start", show.id(), null);
    DropcastClient mod = brand.joined(brand.moderatorToken(show, "mod-1"), show);
    DropcastClient v1 = brand.joined(brand.viewerToken(show, "v1"), show);
    DropcastClient v2 = brand.joined(brand.viewerToken(show, "v2"), show);
    DropcastClient v3 = brand.joined(brand.viewerToken(show, "v3"), show);

    // The pin makes one impression per viewer present (3); v4 joins while it is pinned (4th).
    host.call("product.pin", show.id(), Map.of("productId", p1));
    DropcastClient v4 = brand.joined(brand.viewerToken(show, "v4"), show);
    // v2 reconnects: still one unique viewer and one impression.
    v2.close();
    v2 = brand.joined(brand.viewerToken(show, "v2"), show);

    v1.call("click", show.id(), Map.of("productId", p1));
    v1.call("click", show.id(), Map.of("productId", p1));
    v3.call("click", show.id(), Map.of("productId", p1));
    v1.call("click", show.id(), Map.of("productId", p2));
    assertThat(errorOf(() -> v1.call("click", show.id(), Map.of("productId", brand.outsideLineup().id()))))
        .isEqualTo(ErrorCode.NOT_FOUND);
    v1.call("share", show.id(), Map.of("channel", "whatsapp"));
    v4.call("share", show.id(), null);
    v1.call("react", show.id(), Map.of("kind", "like", "count", 5));
    v3.call("react", show.id(), Map.of("kind", "heart"));
    v1.call("chat.send", show.id(), Map.of("text", "hello"));
    v4.call("chat.send", show.id(), Map.of("text", "hi"));

    // v1 buys 2 and lets the ticker name them; the retry of the reservation counts once.
    Map<String, Object> reserve = Map.of("sale", sale, "quantity", 2, "idempotencyKey", "v1-k");
    String r1 = v1.call("sale.reserve", show.id(), reserve).path("reservation").asText();
    assertThat(v1.call("sale.reserve", show.id(), reserve).path("reservation").asText()).isEqualTo(r1);
    v1.call("reservation.confirm", show.id(), Map.of("reservation", r1, "showName", true));
    JsonNode named = next(v3, e -> e.path("event").asText().equals("purchase")
        && e.path("data").path("buyer").asText().equals("Viewer v1"), "purchase naming v1");
    assertThat(named.path("data").path("productId").asText()).isEqualTo(p1);
    assertThat(named.path("data").path("title").asText()).isEqualTo("Product 1");
    assertThat(named.path("data").path("quantity").asInt()).isEqualTo(2);

    // v3 buys 1 without allowing the name: "someone".
    String r3 = v3.call("sale.reserve", show.id(), Map.of("sale", sale, "idempotencyKey", "v3-k"))
        .path("reservation").asText();
    v3.call("reservation.confirm", show.id(), Map.of("reservation", r3));
    JsonNode anonymous = next(v4, e -> e.path("event").asText().equals("purchase")
        && e.path("data").path("buyer").isNull(), "anonymous purchase");
    assertThat(anonymous.path("data").path("quantity").asInt()).isEqualTo(1);
    DropcastClient watcher = v2;
    next(watcher, e -> e.path("event").asText().equals("product.bought")
        && e.path("data").path("bought").asInt() == 3, "product.bought = 3");

    // v4 reserves and releases: a reservation without an order.
    String r4 = v4.call("sale.reserve", show.id(), Map.of("sale", sale, "idempotencyKey", "v4-k"))
        .path("reservation").asText();
    v4.call("reservation.release", show.id(), Map.of("reservation", r4));

    // Live while running: the host hears analytics.live with the orders; a viewer never does.
    JsonNode live = next(host, e -> e.path("event").asText().equals("analytics.live")
        && e.path("data").path("orders").asInt() == 2, "analytics.live with 2 orders");
    assertThat(live.path("data").path("revenueMinor").asLong()).isEqualTo(3 * 1990);
    assertThat(live.path("data").path("viewers").path("unique").asInt()).isEqualTo(4);
    next(mod, e -> e.path("event").asText().equals("analytics.live"), "analytics.live for the moderator");
    assertThat(Calls.collect(v1, "analytics.live", 700)).isEmpty();
    JsonNode running = awaitJson(node, path, brand.apiKey(), r -> r.path("reservations").asInt() == 3);
    assertThat(running.path("state").asText()).isEqualTo("live");
    assertThat(running.path("final").asBoolean()).isFalse();
    assertThat(running.path("currentViewers").asInt()).isEqualTo(4);

    host.call("show.end", show.id(), null);
    for (DropcastClient c : List.of(host, mod, v1, v2, v3, v4)) {
      c.close();
    }

    JsonNode report = awaitJson(node, path, brand.apiKey(), r -> r.path("final").asBoolean()
        && r.path("watchTimeMs").asLong() > 0 && r.path("series").size() > 0);
    assertThat(report.path("currentViewers").asInt()).isZero();
    assertThat(report.path("peakViewers").asInt()).isEqualTo(4);
    assertThat(report.path("uniqueViewers").asInt()).isEqualTo(4);
    assertThat(report.path("avgWatchTimeMs").asLong())
        .isEqualTo(Math.round(report.path("watchTimeMs").asLong() / 4.0));
    assertThat(report.path("chatMessages").asInt()).isEqualTo(2);
    assertThat(report.path("reactions").asInt()).isEqualTo(6);
    assertThat(report.path("shares").asInt()).isEqualTo(2);
    assertThat(report.path("impressions").asInt()).isEqualTo(4);
    assertThat(report.path("clicks").asInt()).isEqualTo(4);
    assertThat(report.path("uniqueClicks").asInt()).isEqualTo(3);
    assertThat(report.path("ctr").asDouble()).isEqualTo(0.75);
    assertThat(report.path("reservations").asInt()).isEqualTo(3);
    assertThat(report.path("reservedUnits").asInt()).isEqualTo(4);
    assertThat(report.path("orders").asInt()).isEqualTo(2);
    assertThat(report.path("units").asInt()).isEqualTo(3);
    assertThat(report.path("revenueMinor").asLong()).isEqualTo(5970);
    assertThat(report.path("currency").asText()).isEqualTo("EUR");
    assertThat(report.path("buyers").asInt()).isEqualTo(2);
    assertThat(report.path("conversionRate").asDouble()).isEqualTo(0.5);
    assertThat(report.path("aovMinor").asLong()).isEqualTo(2985);
    assertThat(report.path("reservationToOrderRate").asDouble()).isEqualTo(0.6667);
    assertThat(report.path("hostUserId").asText()).isEqualTo("host-1");

    JsonNode product1 = product(report, p1);
    assertThat(product1.path("impressions").asInt()).isEqualTo(4);
    assertThat(product1.path("clicks").asInt()).isEqualTo(3);
    assertThat(product1.path("uniqueClicks").asInt()).isEqualTo(2);
    assertThat(product1.path("ctr").asDouble()).isEqualTo(0.5);
    assertThat(product1.path("orders").asInt()).isEqualTo(2);
    assertThat(product1.path("units").asInt()).isEqualTo(3);
    assertThat(product1.path("revenueMinor").asLong()).isEqualTo(5970);
    JsonNode product2 = product(report, p2);
    assertThat(product2.path("impressions").asInt()).isZero();
    assertThat(product2.path("clicks").asInt()).isEqualTo(1);
    assertThat(product2.path("ctr").isNull()).isTrue();

    // The per-minute series adds up to the totals.
    assertThat(sum(report, "chatMessages")).isEqualTo(2);
    assertThat(sum(report, "reactions")).isEqualTo(6);
    assertThat(sum(report, "orders")).isEqualTo(2);
    assertThat(sum(report, "revenueMinor")).isEqualTo(5970);
    assertThat(sum(report, "newViewers")).isEqualTo(4);
    assertThat(sum(report, "watchMs")).isEqualTo(report.path("watchTimeMs").asLong());
  }

  private static JsonNode product(JsonNode report, String productId) {
    return StreamSupport.stream(report.path("products").spliterator(), false)
        .filter(p -> p.path("productId").asText().equals(productId)).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + productId + " in " + report));
  }

  private static long sum(JsonNode report, String field) {
    long total = 0;
    for (JsonNode minute : report.path("series")) {
      total += minute.path(field).asLong();
    }
    return total;
  }
}
