package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsScenario.awaitJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analytics REST API as brands use it: one brand never reads another's analytics, the brand
 * report has per-show and per-host rows with the host's ROI from the cost set on the show, and both
 * reports export as CSV.
 */
class AnalyticsApiTest {
  static TestNode node;
  static ShowFixture a;
  static ShowFixture b;
  static Show showA;

  @BeforeAll
  static void start() {
    node = TestNode.start(AnalyticsScenario.fastAnalytics(Map.of()));
    a = ShowFixture.brand(node, "Brand A");
    b = ShowFixture.brand(node, "Brand B");
    showA = a.show(false);
    // One viewer watches, one buys 2 units at 1990.
    String sale = AnalyticsScenario.sale(node, a.apiKey(), a.products().get(0).id(), showA.id(), 5);
    DropcastClient host = a.joined(a.hostToken(showA), showA);
    host.call("show.start", showA.id(), null);
    DropcastClient viewer = a.joined(a.viewerToken(showA, "buyer-1"), showA);
    String r = viewer.call("sale.reserve", showA.id(), Map.of("sale", sale, "quantity", 2, "idempotencyKey", "k"))
        .path("reservation").asText();
    viewer.call("reservation.confirm", showA.id(), Map.of("reservation", r));
    host.call("show.end", showA.id(), null);
    viewer.close();
    host.close();
    awaitJson(node, "/api/v1/shows/" + showA.id() + "/analytics", a.apiKey(), j -> j.path("orders").asInt() == 1);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void brand_b_cannot_read_brand_a_analytics() {
    Rest.Response r = node.rest().get("/api/v1/shows/" + showA.id() + "/analytics", b.apiKey());
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorCode()).isEqualTo("NOT_FOUND");
    Rest.Response missing = node.rest().get("/api/v1/shows/shw_nope/analytics", b.apiKey());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(r.text().replace(showA.id(), "X")).isEqualTo(missing.text().replace("shw_nope", "X"));
    JsonNode report = node.rest().get("/api/v1/analytics", b.apiKey()).json();
    assertThat(report.path("shows").size()).isZero();
    assertThat(report.path("hosts").size()).isZero();
    assertThat(node.rest().get("/api/v1/analytics", null).status()).isEqualTo(401);
  }

  @Test
  void the_brand_report_has_show_and_host_rows_with_roi_from_the_host_cost() {
    // The cost may be set once the show ended; revenue 2 × 1990 = 3980, so ROI = (3980 − 1000) / 1000.
    Rest.Response patched = node.rest().patch("/api/v1/shows/" + showA.id(), a.apiKey(), Map.of("hostCostMinor", 1000));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("hostCostMinor").asLong()).isEqualTo(1000);
    // Other fields of an ended show still cannot change.
    assertThat(node.rest().patch("/api/v1/shows/" + showA.id(), a.apiKey(),
        Map.of("hostCostMinor", 1000, "title", "x")).status()).isEqualTo(409);
    assertThat(node.rest().patch("/api/v1/shows/" + showA.id(), a.apiKey(), Map.of("hostCostMinor", -1)).status())
        .isEqualTo(400);

    Rest.Response r = node.rest().get("/api/v1/analytics?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", a.apiKey());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode show = r.json().path("shows").get(0);
    assertThat(show.path("showId").asText()).isEqualTo(showA.id());
    assertThat(show.path("orders").asInt()).isEqualTo(1);
    assertThat(show.path("revenueMinor").asLong()).isEqualTo(3980);
    assertThat(show.path("uniqueViewers").asInt()).isEqualTo(1);
    assertThat(show.path("conversionRate").asDouble()).isEqualTo(1.0);
    assertThat(show.path("hostRoi").asDouble()).isEqualTo(2.98);
    JsonNode host = r.json().path("hosts").get(0);
    assertThat(host.path("hostUserId").asText()).isEqualTo("host-1");
    assertThat(host.path("shows").asInt()).isEqualTo(1);
    assertThat(host.path("revenueMinor").asLong()).isEqualTo(3980);
    assertThat(host.path("hostCostMinor").asLong()).isEqualTo(1000);
    assertThat(host.path("roi").asDouble()).isEqualTo(2.98);

    // A range that does not hold the show's start leaves it out.
    JsonNode before = node.rest().get("/api/v1/analytics?to=2001-01-01T00:00:00Z", a.apiKey()).json();
    assertThat(before.path("shows").size()).isZero();
  }

  @Test
  void both_reports_export_as_csv() {
    Rest.Response show = node.rest().get("/api/v1/shows/" + showA.id() + "/analytics?format=csv", a.apiKey());
    assertThat(show.status()).isEqualTo(200);
    assertThat(show.header("content-type")).startsWith("text/csv");
    String[] lines = show.text().split("\r\n");
    assertThat(lines[0]).startsWith("kind,showId,title,state,final,hostUserId");
    assertThat(lines[1]).startsWith("show," + showA.id() + ",");
    assertThat(lines).anyMatch(l -> l.startsWith("product," ));
    assertThat(lines).anyMatch(l -> l.startsWith("minute,"));
    int orders = java.util.List.of(lines[0].split(",")).indexOf("orders");
    assertThat(lines[1].split(",", -1)[orders]).isEqualTo("1");

    Rest.Response brand = node.rest().send("GET", "/api/v1/analytics", a.apiKey(), null, Map.of("Accept", "text/csv"));
    assertThat(brand.status()).isEqualTo(200);
    assertThat(brand.header("content-type")).startsWith("text/csv");
    assertThat(brand.text().split("\r\n")).anyMatch(l -> l.startsWith("show," + showA.id()))
        .anyMatch(l -> l.startsWith("host,"));
  }

  @Test
  void bad_query_parameters_are_bad_requests() {
    for (String query : new String[] {"?from=yesterday", "?format=xml",
        "?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z"}) {
      Rest.Response r = node.rest().get("/api/v1/analytics" + query, a.apiKey());
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.errorCode()).isEqualTo("BAD_REQUEST");
    }
  }
}
