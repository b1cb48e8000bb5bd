package io.dropcast.server.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Helpers shared by the analytics tests: settings that flush fast, sales, polling the report. */
final class AnalyticsScenario {
  private AnalyticsScenario() {}

  /** Node settings: flush every 100 ms, push live stats every 300 ms. */
  static Map<String, String> fastAnalytics(Map<String, String> more) {
    Map<String, String> settings = new LinkedHashMap<>(more);
    settings.put("analytics.flush-ms", "100");
    settings.put("analytics.live-stats-ms", "300");
    return settings;
  }

  /** Creates a live sale of {@code productId} in {@code showId} at 1990 minor units, asserting 201. */
  static String sale(TestNode node, String apiKey, String productId, String showId, int quantity) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("productId", productId);
    body.put("showId", showId);
    body.put("priceMinor", 1990);
    body.put("quantity", quantity);
    body.put("startsAt", now.minusSeconds(1).toString());
    body.put("endsAt", now.plusSeconds(3600).toString());
    body.put("perBuyerLimit", 5);
    body.put("holdSeconds", 60);
    Rest.Response r = node.rest().post("/api/v1/sales", apiKey, body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** @return the JSON at {@code path} once {@code done} holds (polls for up to 10 s; fails otherwise) */
  static JsonNode awaitJson(TestNode node, String path, String apiKey, Predicate<JsonNode> done) {
    long deadline = System.currentTimeMillis() + 10_000;
    Rest.Response last = null;
    while (System.currentTimeMillis() < deadline) {
      last = node.rest().get(path, apiKey);
      assertThat(last.status()).as(last.text()).isEqualTo(200);
      if (done.test(last.json())) {
        return last.json();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("report never matched; last: " + (last == null ? null : last.text()));
  }
}
