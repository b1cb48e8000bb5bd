package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsScenario.awaitJson;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.RedisServerExtension;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes with {@code store=redis} share one real redis-server: a show watched on both adds up
 * across them — a viewer who reconnects to the other node is still one unique viewer, current
 * viewers are the sum of both nodes, and either node reports the same numbers; a product pinned on
 * one node makes impressions for the viewers of both.
 */
class AnalyticsOnRedisIT {
  @RegisterExtension
  static RedisServerExtension redis = new RedisServerExtension();

  static TestNode one;
  static TestNode two;
  static ShowFixture brand;

  @BeforeAll
  static void start() {
    Map<String, String> settings = AnalyticsScenario.fastAnalytics(Map.of("store", "redis", "redis.url", redis.url()));
    one = TestNode.start(settings);
    two = TestNode.start(settings);
    brand = ShowFixture.brand(one, "Redis analytics");
  }

  @AfterAll
  static void stop() {
    one.close();
    two.close();
  }

  private static DropcastClient joinAt(TestNode node, String token, Show show) {
    DropcastClient c = node.connect(token);
    c.join(show.id());
    return c;
  }

  @Test
  void a_show_watched_on_two_nodes_adds_up_and_dedupes_viewers_across_them() throws Exception {
    Show show = brand.show(false);
    String p1 = brand.products().get(0).id();
    String sale = AnalyticsScenario.sale(one, brand.apiKey(), p1, show.id(), 10);
    String path = "/api/v1/shows/" + show.id() + "/analytics";

    DropcastClient host = joinAt(one, brand.hostToken(show), show);
    host.call("show.start", show.id(), null);
    DropcastClient v1 = joinAt(one, brand.viewerToken(show, "v1"), show);
    DropcastClient v2 = joinAt(one, brand.viewerToken(show, "v2"), show);
    DropcastClient v3 = joinAt(two, brand.viewerToken(show, "v3"), show);
    // Both nodes have flushed their viewers (3 present) before v2 moves.
    awaitJson(one, path, brand.apiKey(), r -> r.path("currentViewers").asInt() == 3);
    v2.close();
    // A viewer who moves between nodes is counted on both until the old node's next flush (see
    // docs/analytics.md), so wait for it: the peak then stays exactly 3.
    awaitJson(one, path, brand.apiKey(), r -> r.path("currentViewers").asInt() == 2);
    v2 = joinAt(two, brand.viewerToken(show, "v2"), show);

    v1.call("react", show.id(), Map.of("kind", "like", "count", 3));
    v3.call("react", show.id(), Map.of("kind", "fire", "count", 2));
    v3.call("click", show.id(), Map.of("productId", p1));
    v2.call("click", show.id(), Map.of("productId", p1));
    v1.call("share", show.id(), null);
    v2.call("chat.send", show.id(), Map.of("text", "from node two"));

    String r1 = v1.call("sale.reserve", show.id(), Map.of("sale", sale, "idempotencyKey", "a"))
        .path("reservation").asText();
    v1.call("reservation.confirm", show.id(), Map.of("reservation", r1));
    String r3 = v3.call("sale.reserve", show.id(), Map.of("sale", sale, "quantity", 2, "idempotencyKey", "b"))
        .path("reservation").asText();
    v3.call("reservation.confirm", show.id(), Map.of("reservation", r3));

    JsonNode live = awaitJson(two, path, brand.apiKey(), r -> r.path("orders").asInt() == 2
        && r.path("chatMessages").asInt() == 1 && r.path("currentViewers").asInt() == 3);
    assertThat(live.path("uniqueViewers").asInt()).isEqualTo(3);
    assertThat(live.path("peakViewers").asInt()).isEqualTo(3);

    host.call("show.end", show.id(), null);
    for (DropcastClient c : List.of(host, v1, v2, v3)) {
      c.close();
    }
    JsonNode fromOne = awaitJson(one, path, brand.apiKey(), r -> r.path("final").asBoolean());
    assertThat(fromOne.path("uniqueViewers").asInt()).isEqualTo(3);
    assertThat(fromOne.path("peakViewers").asInt()).isEqualTo(3);
    assertThat(fromOne.path("reactions").asInt()).isEqualTo(5);
    assertThat(fromOne.path("clicks").asInt()).isEqualTo(2);
    assertThat(fromOne.path("uniqueClicks").asInt()).isEqualTo(2);
    assertThat(fromOne.path("shares").asInt()).isEqualTo(1);
    assertThat(fromOne.path("chatMessages").asInt()).isEqualTo(1);
    assertThat(fromOne.path("reservations").asInt()).isEqualTo(2);
    assertThat(fromOne.path("orders").asInt()).isEqualTo(2);
    assertThat(fromOne.path("units").asInt()).isEqualTo(3);
    assertThat(fromOne.path("revenueMinor").asLong()).isEqualTo(5970);
    assertThat(fromOne.path("buyers").asInt()).isEqualTo(2);
    assertThat(fromOne.path("conversionRate").asDouble()).isEqualTo(0.6667);
    assertThat(fromOne.path("reservationToOrderRate").asDouble()).isEqualTo(1.0);

    // Both nodes read the same totals once every flush landed.
    JsonNode fromTwo = awaitJson(two, path, brand.apiKey(),
        r -> r.path("watchTimeMs").asLong() == awaitJson(one, path, brand.apiKey(), x -> true).path("watchTimeMs").asLong());
    assertThat(fromTwo.path("uniqueViewers").asInt()).isEqualTo(3);
    assertThat(fromTwo.path("revenueMinor").asLong()).isEqualTo(5970);
  }

  /** @return the product ids of the next {@code product.pins} event {@code viewer} gets, in pin order */
  private static List<String> nextPins(DropcastClient viewer) {
    return next(viewer, Events.PINS).path("data").path("pins").findValuesAsText("productId");
  }

  private static JsonNode productRow(JsonNode report, String productId) {
    for (JsonNode row : report.path("products")) {
      if (row.path("productId").asText().equals(productId)) {
        return row;
      }
    }
    throw new AssertionError("no product row " + productId + " in " + report);
  }

  @Test
  void products_pinned_on_one_node_make_impressions_for_the_viewers_on_both_nodes() throws Exception {
    Show show = brand.show(false);
    String tent = brand.products().get(0).id();
    String mug = brand.products().get(1).id();
    String path = "/api/v1/shows/" + show.id() + "/analytics";

    DropcastClient host = joinAt(one, brand.hostToken(show), show);
    host.call("show.start", show.id(), null);
    DropcastClient ann = joinAt(one, brand.viewerToken(show, "ann"), show);
    host.call("product.pin", show.id(), Map.of("productId", tent));
    assertThat(nextPins(ann)).containsExactly(tent); // back from Redis: the shared state has it

    // Node two has no room for the show yet: the first viewer there attaches one, which loads the
    // pin made on node one. Joining while the tent is pinned is an impression.
    DropcastClient ben = two.connect(brand.viewerToken(show, "ben"));
    assertThat(ben.join(show.id()).path("pins").findValuesAsText("productId")).containsExactly(tent);

    // A pin made on node one while Ben watches on node two: an impression for Ben too.
    host.call("product.pin", show.id(), Map.of("productId", mug));
    assertThat(nextPins(ben)).containsExactly(tent, mug);

    // Unpinned on node one: a viewer who joins node two afterwards sees (and is counted for) the mug only.
    host.call("product.unpin", show.id(), Map.of("productId", tent));
    assertThat(nextPins(ben)).containsExactly(mug);
    DropcastClient cleo = joinAt(two, brand.viewerToken(show, "cleo"), show);

    // Impressions are flushed with the viewer who made them, so once Cleo counts, so would hers.
    JsonNode report = awaitJson(one, path, brand.apiKey(), r -> r.path("uniqueViewers").asInt() == 3);
    assertThat(productRow(report, tent).path("impressions").asInt()).as("tent: Ann (node one), Ben (node two)").isEqualTo(2);
    assertThat(productRow(report, mug).path("impressions").asInt()).as("mug: Ann, Ben, Cleo").isEqualTo(3);
    assertThat(report.path("impressions").asInt()).isEqualTo(5);

    // A click from node two now has a click-through rate over impressions on both nodes.
    cleo.call("click", show.id(), Map.of("productId", mug));
    JsonNode clicked = awaitJson(two, path, brand.apiKey(), r -> r.path("uniqueClicks").asInt() == 1);
    assertThat(productRow(clicked, mug).path("ctr").asDouble()).isEqualTo(0.3333);
    assertThat(clicked.path("impressions").asInt()).isEqualTo(5);

    for (DropcastClient c : List.of(host, ann, ben, cleo)) {
      c.close();
    }
  }
}
