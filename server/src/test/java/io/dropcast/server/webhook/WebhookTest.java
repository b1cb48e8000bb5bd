package io.dropcast.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import io.dropcast.server.util.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: a real HTTP receiver (Vert.x server in the test) verifies the Standard
 * Webhooks signature independently and fails the first attempt of every message.
 */
class WebhookTest {
  static TestNode node;
  static Rest rest;
  static Vertx receiverVertx;
  static HttpServer receiver;
  static final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
  static final List<String> attemptIds = new CopyOnWriteArrayList<>();
  static final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
  /** Secret per receiver path ({@code /hooks/<brandId>}). */
  static final Map<String, String> secrets = new ConcurrentHashMap<>();
  static volatile int badSignatures;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("webhook.allow-private-targets", "true", "webhook.retry-base-ms", "100", "sale.tick-ms", "100", "sale.min-hold-seconds", "1"));
    rest = node.rest();
    receiverVertx = Vertx.vertx();
    receiver = Await.await(receiverVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String id = req.getHeader("webhook-id");
      String ts = req.getHeader("webhook-timestamp");
      String sig = req.getHeader("webhook-signature");
      attemptIds.add(id);
      String secret = secrets.get(req.path());
      if (secret == null || !verify(secret, id, ts, body.toString(), sig)) {
        badSignatures++;
        req.response().setStatusCode(400).end();
      } else if (failedOnce.add(id)) {
        req.response().setStatusCode(500).end("try again");
      } else {
        accepted.add(JsonCodec.parse(body.toString()));
        req.response().setStatusCode(204).end();
      }
    })).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    node.close();
    Await.await(receiverVertx.close());
  }

  static boolean verify(String secret, String id, String ts, String body, String header) {
    try {
      byte[] key = java.util.Base64.getDecoder().decode(secret.substring("whsec_".length()));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      String expected = "v1," + java.util.Base64.getEncoder().encodeToString(
          mac.doFinal((id + "." + ts + "." + body).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return header != null && List.of(header.split(" ")).contains(expected)
          && Math.abs(Instant.now().getEpochSecond() - Long.parseLong(ts)) < 300;
    } catch (Exception e) {
      return false;
    }
  }

  record Tenant(String brandId, String key, String productId) {}

  static Tenant tenant(String name) {
    var stores = node.server().stores();
    Instant now = Instant.now();
    Brand brand = Await.await(stores.brands().create(new Brand(Ids.newId("brd"), name, now)));
    String key = Await.await(ApiKeys.issue(stores, brand.id())).secret();
    Product p = Await.await(stores.products().create(new Product(Ids.newId("prd"), brand.id(), "SKU", "Mug", "", null,
        900, "EUR", now, now)));
    return new Tenant(brand.id(), key, p.id());
  }

  /** Points the brand's webhook at the receiver; @return the URL */
  static String hook(Tenant t) {
    String path = "/hooks/" + t.brandId();
    String url = "http://127.0.0.1:" + receiver.actualPort() + path;
    Rest.Response put = rest.put("/api/v1/webhooks", t.key(), Map.of("url", url));
    assertThat(put.status()).as(put.text()).isEqualTo(200);
    String secret = put.json().path("secret").asText();
    assertThat(secret).startsWith("whsec_");
    secrets.put(path, secret);
    return url;
  }

  static JsonNode awaitAccepted(String type, String saleId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode n : accepted) {
        JsonNode d = n.path("data");
        if (type.equals(n.path("type").asText()) && (saleId.equals(d.path("sale").asText())
            || saleId.equals(d.path("saleId").asText()))) {
          return n;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no accepted webhook " + type + " for " + saleId + "; got " + accepted);
  }

  @Test
  void lapsed_hold_and_sale_end_reach_the_brand() throws Exception {
    Tenant c = tenant("Brand C");
    hook(c);
    Instant now = Instant.now();
    Rest.Response sale = rest.post("/api/v1/sales", c.key(), Map.of("productId", c.productId(), "priceMinor", 500,
        "quantity", 3, "holdSeconds", 1, "perBuyerLimit", 2, "startsAt", now.minusSeconds(1).toString(), "endsAt", now.plusSeconds(3).toString()));
    assertThat(sale.status()).as(sale.text()).isEqualTo(201);
    String saleId = sale.json().path("id").asText();
    Rest.Response held = rest.send("POST", "/api/v1/sales/" + saleId + "/reservations", c.key(),
        Map.of("buyerId", "bob", "quantity", 2), Map.of("Idempotency-Key", "k1"));
    assertThat(held.status()).as(held.text()).isEqualTo(201);
    String rsv = held.json().path("reservation").asText();
    JsonNode expired = awaitAccepted("reservation.expired", saleId);
    assertThat(expired.path("data").path("id").asText()).isEqualTo(rsv);
    assertThat(expired.path("data").path("state").asText()).isEqualTo("expired");
    JsonNode ended = awaitAccepted("sale.ended", saleId);
    assertThat(ended.path("data").path("reason").asText()).isEqualTo("ended");
    JsonNode audit = rest.get("/api/v1/sales/" + saleId + "/audit", c.key()).json();
    assertThat(audit.path("expired").asLong()).isEqualTo(2);
    assertThat(audit.path("available").asLong()).isEqualTo(3);
    assertThat(audit.path("consistent").asBoolean()).isTrue();
    assertThat(badSignatures).isZero();
  }

  static JsonNode awaitAccepted(String type) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode n : accepted) {
        if (type.equals(n.path("type").asText())) {
          return n;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no accepted webhook " + type + "; got " + accepted);
  }

  @Test
  void confirmed_order_reaches_the_brand_signed_and_retried_after_a_failure() throws Exception {
    Tenant a = tenant("Brand A");
    Tenant b = tenant("Brand B");
    String url = hook(a);
    assertThat(rest.get("/api/v1/webhooks", a.key()).json().path("url").asText()).isEqualTo(url);
    // Brand B sees none of it.
    assertThat(rest.get("/api/v1/webhooks", b.key()).status()).isEqualTo(404);
    assertThat(rest.get("/api/v1/webhooks/deliveries", b.key()).json().path("deliveries")).isEmpty();
    assertThat(rest.put("/api/v1/webhooks", a.key(), Map.of("url", "ftp://x")).status()).isEqualTo(400);
    assertThat(rest.put("/api/v1/webhooks", a.key(), Map.of("url", url, "secret", "nope")).status()).isEqualTo(400);
    Rest.Response missing = rest.put("/api/v1/webhooks", a.key(), Map.of("secret", "whsec_x"));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("error").path("message").asText()).contains("'url'");
    Rest.Response unknown = rest.put("/api/v1/webhooks", a.key(), Map.of("url", url, "events", "all"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("error").path("message").asText()).contains("events");
    assertThat(rest.get("/api/v1/webhooks", a.key()).json().path("url").asText()).isEqualTo(url);

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Rest.Response sale = rest.post("/api/v1/sales", a.key(), Map.of("productId", a.productId(), "priceMinor", 500,
        "quantity", 1, "startsAt", now.minusSeconds(1).toString(), "endsAt", now.plusSeconds(600).toString()));
    assertThat(sale.status()).as(sale.text()).isEqualTo(201);
    String saleId = sale.json().path("id").asText();
    Rest.Response held = rest.send("POST", "/api/v1/sales/" + saleId + "/reservations", a.key(),
        Map.of("buyerId", "ann", "quantity", 1), Map.of("Idempotency-Key", "k1"));
    String rsv = held.json().path("reservation").asText();
    String orderId = rest.post("/api/v1/reservations/" + rsv + "/confirm", a.key(), null).json().path("id").asText();

    JsonNode order = awaitAccepted("order.confirmed");
    assertThat(order.path("data").path("id").asText()).isEqualTo(orderId);
    assertThat(order.path("data").path("brandId").asText()).isEqualTo(a.brandId());
    JsonNode soldOut = awaitAccepted("sale.sold_out");
    assertThat(soldOut.path("data").path("sale").asText()).isEqualTo(saleId);
    awaitAccepted("sale.started");
    assertThat(badSignatures).isZero();

    JsonNode deliveries = rest.get("/api/v1/webhooks/deliveries", a.key()).json().path("deliveries");
    String orderMsg = null;
    for (JsonNode d : deliveries) {
      if ("order.confirmed".equals(d.path("type").asText()) && d.path("ok").asBoolean()) {
        orderMsg = d.path("id").asText();
        assertThat(d.path("attempt").asInt()).isEqualTo(2);
      }
    }
    assertThat(orderMsg).isNotNull();
    String msg = orderMsg;
    assertThat(attemptIds.stream().filter(msg::equals).count()).isEqualTo(2);
    assertThat(deliveries.findValuesAsText("id").stream().filter(msg::equals).count()).isEqualTo(2);
  }

}
