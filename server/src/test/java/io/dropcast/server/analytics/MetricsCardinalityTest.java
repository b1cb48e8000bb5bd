package io.dropcast.server.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operator metrics stay separate from show analytics: the Prometheus output has the same number of
 * series after one show as after many more shows with more viewers, and no series names a show or
 * a user. (JVM and process series are left out of the count: they follow the JVM, e.g. a new GC
 * cause, not the shows.)
 */
class MetricsCardinalityTest {
  static TestNode node;
  static ShowFixture brand;

  @BeforeAll
  static void start() {
    node = TestNode.start(AnalyticsScenario.fastAnalytics(Map.of()));
    brand = ShowFixture.brand(node, "Metrics brand");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A show with {@code viewers} viewers who click, share, react, chat; its analytics are read. */
  private List<String> runShow(int round, int viewers) {
    Show show = brand.show(false);
    List<String> ids = new ArrayList<>(List.of(show.id()));
    DropcastClient host = brand.joined(brand.hostToken(show), show);
    host.call("show.start", show.id(), null);
    host.call("product.pin", show.id(), Map.of("productId", brand.products().get(0).id()));
    List<DropcastClient> clients = new ArrayList<>(List.of(host));
    for (int i = 0; i < viewers; i++) {
      String user = "viewer-" + round + "-" + i;
      ids.add(user);
      DropcastClient v = brand.joined(brand.viewerToken(show, user), show);
      v.call("click", show.id(), Map.of("productId", brand.products().get(0).id()));
      v.call("share", show.id(), null);
      v.call("react", show.id(), Map.of("kind", "like"));
      v.call("chat.send", show.id(), Map.of("text", "hi " + i));
      clients.add(v);
    }
    AnalyticsScenario.awaitJson(node, "/api/v1/shows/" + show.id() + "/analytics", brand.apiKey(),
        r -> r.path("uniqueViewers").asInt() == viewers);
    assertThat(node.rest().get("/api/v1/analytics", brand.apiKey()).status()).isEqualTo(200);
    host.call("show.end", show.id(), null);
    clients.forEach(DropcastClient::close);
    return ids;
  }

  private List<String> series() {
    Rest.Response r = node.rest().get("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    return r.text().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .filter(l -> !l.startsWith("jvm_") && !l.startsWith("process_") && !l.startsWith("system_"))
        .map(l -> l.substring(0, l.lastIndexOf(' ')))
        .toList();
  }

  @Test
  void series_count_stays_bounded_as_shows_and_viewers_grow() {
    List<String> ids = new ArrayList<>(runShow(0, 2));
    series(); // the first scrape adds the /metrics route's own series
    int afterOne = series().size();
    for (int round = 1; round <= 4; round++) {
      ids.addAll(runShow(round, 2 + 2 * round));
    }
    List<String> after = series();
    assertThat(after).hasSize(afterOne);
    assertThat(after).anyMatch(s -> s.startsWith("dropcast_analytics_flushes_total"));
    for (String id : ids) {
      assertThat(after).noneMatch(s -> s.contains(id));
    }
  }
}
