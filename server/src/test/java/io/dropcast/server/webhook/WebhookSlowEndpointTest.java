package io.dropcast.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A brand's webhook endpoint that answers 200 and then trickles an endless body (never idle, never
 * done) must not hold the delivery forever nor make the node buffer the body: the attempt ends
 * after {@code webhook.timeout-ms} and is recorded as failed. Real HTTP on both sides.
 */
class WebhookSlowEndpointTest {
  static TestNode node;
  static Vertx receiverVertx;
  static HttpServer receiver;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("webhook.allow-private-targets", "true", "webhook.timeout-ms", "500", "webhook.max-attempts", "1", "sale.tick-ms", "100"));
    receiverVertx = Vertx.vertx();
    receiver = Await.await(receiverVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      var response = req.response().setChunked(true).setStatusCode(200);
      String chunk = "x".repeat(256);
      long timer = receiverVertx.setPeriodic(50, t -> response.write(chunk));
      response.closeHandler(v -> receiverVertx.cancelTimer(timer));
    })).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    node.close();
    Await.await(receiverVertx.close());
  }

  @Test
  void an_endpoint_that_never_finishes_its_answer_fails_the_attempt_after_the_timeout() throws Exception {
    Brands.BrandKey brand = Brands.create(node, "Trickle");
    Rest rest = node.rest();
    Rest.Response put = rest.put("/api/v1/webhooks", brand.key(),
        Map.of("url", "http://127.0.0.1:" + receiver.actualPort() + "/endless"));
    assertThat(put.status()).as(put.text()).isEqualTo(200);
    Brands.openSale(node, brand, "MUG");

    // The ticker announces sale.started to the brand's endpoint, which answers 200 and never finishes.
    JsonNode failed = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (failed == null && System.currentTimeMillis() < deadline) {
      for (JsonNode d : rest.get("/api/v1/webhooks/deliveries", brand.key()).json().path("deliveries")) {
        if ("sale.started".equals(d.path("type").asText())) {
          failed = d;
        }
      }
      Thread.sleep(50);
    }
    assertThat(failed).as("the sale.started attempt ended").isNotNull();
    assertThat(failed.path("ok").asBoolean()).isFalse();
    assertThat(failed.path("error").asText()).contains("500 ms");
  }
}
