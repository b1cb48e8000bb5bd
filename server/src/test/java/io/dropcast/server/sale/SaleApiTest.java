package io.dropcast.server.sale;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Flash sales over REST and the socket, on a node with the in-memory store. */
class SaleApiTest {
  static TestNode node;
  static Rest rest;
  static SaleFixtures.Tenant a;
  static SaleFixtures.Tenant b;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("sale.tick-ms", "100"));
    rest = node.rest();
    a = SaleFixtures.tenant(node, "Brand A");
    b = SaleFixtures.tenant(node, "Brand B");
  }

  @AfterAll
  static void stop() {
    node.close();
  }


  static Rest.Response reserveRest(SaleFixtures.Tenant t, String saleId, String buyer, int qty, String key) {
    return rest.send("POST", "/api/v1/sales/" + saleId + "/reservations", t.apiKey(),
        Map.of("buyerId", buyer, "quantity", qty), key == null ? Map.of() : Map.of("Idempotency-Key", key));
  }

  static ErrorCode codeOf(Runnable call) {
    try {
      call.run();
    } catch (ProtocolException e) {
      return e.code();
    }
    throw new AssertionError("expected an error");
  }

  @Test
  void brand_schedules_a_sale_and_reads_it_back_with_live_counters() {
    Instant start = Instant.now().plusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    String id = a.createSale(a.saleBody(25, 2, start, start.plusSeconds(900)));
    JsonNode sale = rest.get("/api/v1/sales/" + id, a.apiKey()).json();
    assertThat(sale.path("state").asText()).isEqualTo("scheduled");
    assertThat(sale.path("currency").asText()).isEqualTo("EUR");
    assertThat(sale.path("remaining").asLong()).isEqualTo(25);
    assertThat(sale.path("held").asLong()).isZero();
    assertThat(sale.path("sold").asLong()).isZero();
    assertThat(sale.path("expired").asLong()).isZero();
    assertThat(sale.path("startsAt").asText()).isEqualTo(start.toString());
    JsonNode list = rest.get("/api/v1/sales", a.apiKey()).json().path("sales");
    assertThat(list.findValuesAsText("id")).contains(id);
    assertThat(rest.get("/api/v1/sales", b.apiKey()).json().path("sales").findValuesAsText("id")).doesNotContain(id);
  }

  @Test
  void invalid_sales_get_400_naming_the_field() {
    Instant now = Instant.now();
    Map<String, Object> body = new HashMap<>(a.saleBody(10, 1, now.plusSeconds(60), now.plusSeconds(30)));
    assertThat(rest.post("/api/v1/sales", a.apiKey(), body).json().path("error").path("message").asText()).contains("endsAt");
    body = new HashMap<>(a.liveSale(0, 1));
    Rest.Response r = rest.post("/api/v1/sales", a.apiKey(), body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("message").asText()).contains("quantity");
    body = new HashMap<>(a.liveSale(10, 1));
    body.put("holdSeconds", 5);
    assertThat(rest.post("/api/v1/sales", a.apiKey(), body).json().path("error").path("message").asText()).contains("holdSeconds");
    body.put("holdSeconds", 60);
    body.put("perBuyerLimit", 0);
    assertThat(rest.post("/api/v1/sales", a.apiKey(), body).json().path("error").path("message").asText()).contains("perBuyerLimit");
    body.put("perBuyerLimit", 1);
    body.put("productId", b.productId());
    r = rest.post("/api/v1/sales", a.apiKey(), body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("message").asText()).contains("productId");
    body.put("productId", a.productId());
    body.put("showId", b.showId());
    assertThat(rest.post("/api/v1/sales", a.apiKey(), body).json().path("error").path("message").asText()).contains("showId");
    body.remove("showId");
    body.remove("productId");
    assertThat(rest.post("/api/v1/sales", a.apiKey(), body).json().path("error").path("message").asText()).contains("productId");
    assertThat(rest.post("/api/v1/sales", a.apiKey(), "[1,2]").status()).isEqualTo(400);
    assertThat(rest.post("/api/v1/sales", a.apiKey(), "{nope").status()).isEqualTo(400);
    assertThat(rest.post("/api/v1/sales", null, a.liveSale(1, 1)).status()).isEqualTo(401);
    assertThat(rest.post("/api/v1/sales", TestNode.ADMIN_KEY, a.liveSale(1, 1)).status()).isEqualTo(403);
  }

  @Test
  void sale_and_reservation_bodies_are_checked_like_every_other_brand_body() {
    Map<String, Object> body = new HashMap<>(a.liveSale(10, 1));
    body.put("discount", 5);
    Rest.Response r = rest.post("/api/v1/sales", a.apiKey(), body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("message").asText()).contains("discount");
    body.remove("discount");
    body.put("currency", "QQQ");
    assertThat(rest.post("/api/v1/sales", a.apiKey(), body).json().path("error").path("message").asText())
        .contains("currency");
    body.put("currency", "USD");
    r = rest.post("/api/v1/sales", a.apiKey(), body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("currency").asText()).isEqualTo("USD");
    String sale = r.json().path("id").asText();

    r = rest.send("POST", "/api/v1/sales/" + sale + "/reservations", a.apiKey(), Map.of("buyerId", "   "),
        Map.of("Idempotency-Key", "k-blank"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("message").asText()).contains("buyerId");
    r = rest.send("POST", "/api/v1/sales/" + sale + "/reservations", a.apiKey(), Map.of("buyerId", "ann", "qty", 1),
        Map.of("Idempotency-Key", "k-unknown"));
    assertThat(r.json().path("error").path("message").asText()).contains("qty");
    try (DropcastClient ann = node.connect(a.token("ann"))) {
      assertThat(codeOf(() -> ann.call("sale.reserve", null, Map.of("sale", sale, "idempotencyKey", "k", "qty", 1))))
          .isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(codeOf(() -> ann.call("sale.reserve", null, Map.of("sale", sale, "idempotencyKey", "has space"))))
          .isEqualTo(ErrorCode.BAD_REQUEST);
    }
    assertThat(rest.get("/api/v1/sales/" + sale, a.apiKey()).json().path("held").asLong()).isZero();
  }

  @Test
  void scheduled_sale_is_unbound_from_its_show_with_a_null_show_id() {
    Instant start = Instant.now().plusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    String scheduled = a.createSale(a.saleBody(10, 1, start, start.plusSeconds(600)));
    Map<String, Object> unbind = new HashMap<>();
    unbind.put("showId", null);
    Rest.Response r = rest.patch("/api/v1/sales/" + scheduled, a.apiKey(), unbind);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("showId").isNull()).isTrue();
    assertThat(r.json().path("productId").asText()).isEqualTo(a.productId());
    assertThat(rest.patch("/api/v1/sales/" + scheduled, a.apiKey(), Map.of("perBuyerLimit", "2")).status())
        .isEqualTo(400);
  }

  @Test
  void scheduled_sale_can_be_changed_but_a_started_one_answers_409() {
    Instant start = Instant.now().plusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    String scheduled = a.createSale(a.saleBody(10, 1, start, start.plusSeconds(600)));
    Rest.Response r = rest.patch("/api/v1/sales/" + scheduled, a.apiKey(), Map.of("quantity", 40, "priceMinor", 990));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("quantity").asInt()).isEqualTo(40);
    assertThat(r.json().path("remaining").asLong()).isEqualTo(40);
    assertThat(r.json().path("priceMinor").asLong()).isEqualTo(990);
    assertThat(rest.patch("/api/v1/sales/" + scheduled, a.apiKey(), Map.of("endsAt", start.minusSeconds(1).toString()))
        .status()).isEqualTo(400);

    String live = a.createSale(a.liveSale(10, 1));
    r = rest.patch("/api/v1/sales/" + live, a.apiKey(), Map.of("quantity", 40));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("CONFLICT");

    r = rest.post("/api/v1/sales/" + live + "/cancel", a.apiKey(), null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("state").asText()).isEqualTo("cancelled");
    assertThat(reserveRest(a, live, "ann", 1, "k1").errorCode()).isEqualTo("ENDED");
  }

  @Test
  void brand_a_cannot_see_or_touch_brand_b_sales_reservations_or_orders() {
    String saleB = b.createSale(b.liveSale(5, 5));
    Rest.Response held = reserveRest(b, saleB, "bob", 1, "k1");
    String rsv = held.json().path("reservation").asText();
    assertThat(rest.get("/api/v1/sales/" + saleB, a.apiKey()).status()).isEqualTo(404);
    assertThat(rest.get("/api/v1/sales/" + saleB + "/audit", a.apiKey()).status()).isEqualTo(404);
    assertThat(rest.patch("/api/v1/sales/" + saleB, a.apiKey(), Map.of("quantity", 1)).status()).isEqualTo(404);
    assertThat(rest.post("/api/v1/sales/" + saleB + "/cancel", a.apiKey(), null).status()).isEqualTo(404);
    assertThat(reserveRest(a, saleB, "ann", 1, "k1").status()).isEqualTo(404);
    assertThat(rest.post("/api/v1/reservations/" + rsv + "/confirm", a.apiKey(), null).status()).isEqualTo(404);
    assertThat(rest.post("/api/v1/reservations/" + rsv + "/release", a.apiKey(), null).status()).isEqualTo(404);
    assertThat(rest.get("/api/v1/reservations/" + rsv, a.apiKey()).status()).isEqualTo(404);
    Rest.Response order = rest.post("/api/v1/reservations/" + rsv + "/confirm", b.apiKey(), null);
    assertThat(order.status()).isEqualTo(200);
    assertThat(rest.get("/api/v1/orders", a.apiKey()).json().path("orders").findValuesAsText("id"))
        .doesNotContain(order.json().path("id").asText());
    assertThat(rest.get("/api/v1/orders", b.apiKey()).json().path("orders").findValuesAsText("id"))
        .contains(order.json().path("id").asText());
    // A viewer of brand A cannot reserve brand B's sale over the socket either.
    try (DropcastClient ann = node.connect(a.token("ann"))) {
      assertThat(codeOf(() -> ann.call("sale.reserve", null, Map.of("sale", saleB, "quantity", 1, "idempotencyKey", "x"))))
          .isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void server_side_reservation_needs_an_idempotency_key_and_retries_return_the_same_hold() {
    String sale = a.createSale(a.liveSale(10, 3));
    Rest.Response missing = reserveRest(a, sale, "ann", 1, null);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("error").path("message").asText()).contains("Idempotency-Key");
    Rest.Response first = reserveRest(a, sale, "ann", 2, "order-123");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    Rest.Response retry = reserveRest(a, sale, "ann", 2, "order-123");
    assertThat(retry.json().path("reservation").asText()).isEqualTo(first.json().path("reservation").asText());
    assertThat(rest.get("/api/v1/sales/" + sale, a.apiKey()).json().path("held").asLong()).isEqualTo(2);
    assertThat(reserveRest(a, sale, "ann", 2, "order-124").errorCode()).isEqualTo("LIMIT_EXCEEDED");
    assertThat(reserveRest(a, sale, "ann", 2, "order-124").status()).isEqualTo(409);
  }

  @Test
  void hand_off_checkout_confirms_or_releases_over_rest() {
    String sale = a.createSale(a.liveSale(10, 5));
    String paid = reserveRest(a, sale, "ann", 2, "k1").json().path("reservation").asText();
    String abandoned = reserveRest(a, sale, "bob", 3, "k1").json().path("reservation").asText();
    Rest.Response order = rest.post("/api/v1/reservations/" + paid + "/confirm", a.apiKey(), null);
    assertThat(order.status()).as(order.text()).isEqualTo(200);
    assertThat(order.json().path("totalMinor").asLong()).isEqualTo(2 * 1990);
    assertThat(order.json().path("showId").asText()).isEqualTo(a.showId());
    assertThat(rest.post("/api/v1/reservations/" + paid + "/confirm", a.apiKey(), null).json().path("id").asText())
        .isEqualTo(order.json().path("id").asText());
    Rest.Response released = rest.post("/api/v1/reservations/" + abandoned + "/release", a.apiKey(), null);
    assertThat(released.json().path("state").asText()).isEqualTo("released");
    Rest.Response late = rest.post("/api/v1/reservations/" + abandoned + "/confirm", a.apiKey(), null);
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.errorCode()).isEqualTo("EXPIRED");
    JsonNode audit = rest.get("/api/v1/sales/" + sale + "/audit", a.apiKey()).json();
    assertThat(audit.path("allotted").asLong()).isEqualTo(10);
    assertThat(audit.path("available").asLong()).isEqualTo(8);
    assertThat(audit.path("held").asLong()).isZero();
    assertThat(audit.path("sold").asLong()).isEqualTo(2);
    assertThat(audit.path("consistent").asBoolean()).isTrue();
    assertThat(rest.get("/api/v1/orders?show=" + a.showId(), a.apiKey()).json().path("orders").findValuesAsText("id"))
        .contains(order.json().path("id").asText());
    assertThat(rest.get("/api/v1/orders?show=shw_other", a.apiKey()).json().path("orders")).isEmpty();
  }

  @Test
  void viewer_reserves_and_confirms_over_the_socket_and_only_the_buyer_may_confirm() {
    String sale = a.createSale(a.liveSale(5, 2));
    try (DropcastClient ann = node.connect(a.token("ann")); DropcastClient eve = node.connect(a.token("eve"))) {
      JsonNode held = ann.call("sale.reserve", a.showId(), Map.of("sale", sale, "quantity", 2, "idempotencyKey", "tap-1"));
      String rsv = held.path("reservation").asText();
      assertThat(held.path("state").asText()).isEqualTo("held");
      assertThat(Instant.parse(held.path("expiresAt").asText())).isAfter(Instant.now().plusSeconds(50));
      assertThat(ann.call("sale.reserve", a.showId(), Map.of("sale", sale, "quantity", 2, "idempotencyKey", "tap-1"))
          .path("reservation").asText()).isEqualTo(rsv);
      assertThat(codeOf(() -> ann.call("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "tap-2"))))
          .isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      assertThat(codeOf(() -> ann.call("sale.reserve", null, Map.of("sale", sale, "quantity", 1))))
          .isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(codeOf(() -> eve.call("reservation.confirm", null, Map.of("reservation", rsv))))
          .isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(codeOf(() -> eve.call("reservation.release", null, Map.of("reservation", rsv))))
          .isEqualTo(ErrorCode.FORBIDDEN);
      JsonNode order = ann.call("reservation.confirm", null, Map.of("reservation", rsv)).path("order");
      assertThat(order.path("quantity").asInt()).isEqualTo(2);
      assertThat(order.path("buyerId").asText()).isEqualTo("ann");
      JsonNode eveHold = eve.call("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "e1"));
      assertThat(eve.call("reservation.release", null, Map.of("reservation", eveHold.path("reservation").asText()))
          .path("state").asText()).isEqualTo("released");
    }
    JsonNode view = rest.get("/api/v1/sales/" + sale, a.apiKey()).json();
    assertThat(view.path("sold").asLong()).isEqualTo(2);
    assertThat(view.path("remaining").asLong()).isEqualTo(3);
  }

  @Test
  void sold_out_buyer_joins_the_waitlist_and_is_offered_returned_stock_over_the_socket() throws Exception {
    String sale = a.createSale(a.liveSale(1, 1));
    try (DropcastClient ann = node.connect(a.token("ann")); DropcastClient wes = node.connect(a.token("wes"))) {
      String rsv = ann.call("sale.reserve", null, Map.of("sale", sale, "idempotencyKey", "a")).path("reservation").asText();
      assertThat(codeOf(() -> wes.call("sale.reserve", null, Map.of("sale", sale, "idempotencyKey", "w"))))
          .isEqualTo(ErrorCode.SOLD_OUT);
      assertThat(wes.call("sale.waitlist", null, Map.of("sale", sale)).path("position").asInt()).isEqualTo(1);
      ann.call("reservation.release", null, Map.of("reservation", rsv));
      JsonNode offer = wes.awaitEvent("reservation", 5, TimeUnit.SECONDS);
      assertThat(offer).isNotNull();
      assertThat(offer.path("data").path("offer").asBoolean()).isTrue();
      assertThat(offer.path("data").path("buyerId").asText()).isEqualTo("wes");
      String offered = offer.path("data").path("reservation").asText();
      assertThat(wes.call("reservation.confirm", null, Map.of("reservation", offered)).path("order").path("quantity").asInt())
          .isEqualTo(1);
    }
  }

  @Test
  void two_hundred_socket_buyers_for_twenty_units_get_exactly_twenty() throws Exception {
    String sale = a.createSale(a.liveSale(20, 1));
    List<DropcastClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        clients.add(node.connect(a.token("buyer-" + i)));
      }
      List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
      for (DropcastClient c : clients) {
        calls.add(c.request("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k")));
      }
      int held = 0;
      int soldOut = 0;
      for (CompletableFuture<JsonNode> call : calls) {
        try {
          if (call.get(20, TimeUnit.SECONDS).has("reservation")) {
            held++;
          }
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof ProtocolException pe && pe.code() == ErrorCode.SOLD_OUT) {
            soldOut++;
          }
        }
      }
      assertThat(held).isEqualTo(20);
      assertThat(soldOut).isEqualTo(180);
    } finally {
      clients.forEach(DropcastClient::close);
    }
    JsonNode audit = rest.get("/api/v1/sales/" + sale + "/audit", a.apiKey()).json();
    assertThat(audit.path("held").asLong()).isEqualTo(20);
    assertThat(audit.path("consistent").asBoolean()).isTrue();
  }
}
