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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a show's viewers hear about its sales, over real WebSockets on a node with the in-memory
 * store: the events in seq order, the coalesced stock counter, the sales section of the join
 * snapshot, and that guests may not buy.
 */
class SaleEventsTest {
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


  /** Reserves one unit for each of {@code buyers} distinct buyers at once, over REST. */
  static void reserveConcurrently(SaleFixtures.Tenant t, String saleId, int buyers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(buyers, 32));
    try {
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < buyers; i++) {
        String buyer = "buyer-" + i;
        calls.add(pool.submit(() -> rest.send("POST", "/api/v1/sales/" + saleId + "/reservations", t.apiKey(),
            Map.of("buyerId", buyer, "quantity", 1), Map.of("Idempotency-Key", "k-" + buyer)).status()));
      }
      for (Future<Integer> call : calls) {
        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(201);
      }
    } finally {
      pool.shutdown();
    }
  }

  /** @return the sale events (names starting with "sale.") received until {@code last} arrives */
  static List<JsonNode> saleEventsUntil(DropcastClient viewer, String last, long timeoutMs) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      JsonNode e = viewer.pollEvent(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e != null && e.path("event").asText().startsWith("sale.")) {
        out.add(e);
        if (e.path("event").asText().equals(last)) {
          return out;
        }
      }
    }
    throw new AssertionError("no " + last + " within " + timeoutMs + " ms; got " + out);
  }

  static List<String> names(List<JsonNode> events) {
    return events.stream().map(e -> e.path("event").asText()).toList();
  }

  @Test
  void viewers_hear_scheduled_started_coalesced_stock_sold_out_and_ended_in_seq_order() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Events brand");
    try (DropcastClient ann = node.connect(t.token("ann"));
         DropcastClient bob = node.connect(t.token("bob"))) {
      ann.join(t.showId());
      bob.join(t.showId());
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      String sale = t.createSale(t.saleBody(40, 1, now.plusMillis(1200), now.plusMillis(5000)));

      JsonNode scheduled = next(ann, Events.SALE_SCHEDULED);
      assertThat(scheduled.path("data").path("sale").path("id").asText()).isEqualTo(sale);
      assertThat(scheduled.path("data").path("sale").path("state").asText()).isEqualTo("scheduled");
      JsonNode started = next(ann, Events.SALE_STARTED);
      assertThat(started.path("data").path("remaining").asLong()).isEqualTo(40);

      reserveConcurrently(t, sale, 40);
      List<JsonNode> rest = saleEventsUntil(ann, Events.SALE_ENDED, 10_000);

      List<JsonNode> all = new ArrayList<>(List.of(scheduled, started));
      all.addAll(rest);
      assertThat(all).extracting(e -> e.path("seq").asLong()).isSorted().doesNotHaveDuplicates()
          .allSatisfy(seq -> assertThat(seq).isPositive());
      List<String> names = names(all);
      assertThat(names.get(0)).isEqualTo(Events.SALE_SCHEDULED);
      assertThat(names.get(1)).isEqualTo(Events.SALE_STARTED);
      assertThat(names.get(names.size() - 1)).isEqualTo(Events.SALE_ENDED);
      assertThat(names).filteredOn(Events.SALE_SOLD_OUT::equals).hasSize(1);
      assertThat(names.indexOf(Events.SALE_SOLD_OUT)).isLessThan(names.size() - 1);

      List<JsonNode> stock = all.stream().filter(e -> e.path("event").asText().equals(Events.SALE_STOCK)).toList();
      assertThat(stock).as("40 reservations are coalesced into a few stock events").isNotEmpty().hasSizeLessThan(20);
      assertThat(stock).allSatisfy(e -> {
        assertThat(e.path("data").path("sale").asText()).isEqualTo(sale);
        assertThat(e.path("data").path("quantity").asLong()).isEqualTo(40);
      });
      assertThat(stock.get(stock.size() - 1).path("data").path("remaining").asLong()).as("the final 0 is delivered").isZero();
      assertThat(stock).extracting(e -> e.path("data").path("remaining").asLong()).isSortedAccordingTo((x, y) -> Long.compare(y, x));
      JsonNode ended = all.get(all.size() - 1);
      assertThat(ended.path("data").path("reason").asText()).isEqualTo("ended");
      assertThat(ended.path("data").path("sold").asLong()).isZero(); // held, not confirmed

      // The other viewer got the very same sale events (same seqs).
      List<JsonNode> bobs = saleEventsUntil(bob, Events.SALE_ENDED, 5_000);
      assertThat(bobs).extracting(e -> e.path("seq").asLong())
          .containsExactlyElementsOf(all.stream().map(e -> e.path("seq").asLong()).toList());
    }
  }

  @Test
  void a_cancelled_sale_is_announced_as_ended_with_reason_cancelled() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Cancel brand");
    try (DropcastClient viewer = node.connect(t.token("ann"))) {
      viewer.join(t.showId());
      String sale = t.createSale(t.liveSale(5, 1));
      assertThat(rest.post("/api/v1/sales/" + sale + "/cancel", t.apiKey(), null).status()).isEqualTo(200);
      JsonNode ended = next(viewer, Events.SALE_ENDED);
      assertThat(ended.path("data").path("sale").asText()).isEqualTo(sale);
      assertThat(ended.path("data").path("reason").asText()).isEqualTo("cancelled");
    }
  }

  @Test
  void late_joiner_sees_the_shows_sales_with_remaining_stock_in_the_join_snapshot() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Snapshot brand");
    String live = t.createSale(t.liveSale(10, 5));
    Instant later = Instant.now().plusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
    String upcoming = t.createSale(t.saleBody(t.secondProductId(), 7, 2, later, later.plusSeconds(600)));
    String cancelled = t.createSale(t.liveSale(3, 1));
    assertThat(rest.post("/api/v1/sales/" + cancelled + "/cancel", t.apiKey(), null).status()).isEqualTo(200);
    try (DropcastClient early = node.connect(t.token("early"))) {
      early.join(t.showId());
      early.call("sale.reserve", t.showId(), Map.of("sale", live, "quantity", 3, "idempotencyKey", "k1"));
    }

    try (DropcastClient late = node.connect(t.token("late"))) {
      JsonNode sales = late.join(t.showId()).path("sales");
      assertThat(sales.isArray()).as(sales.toString()).isTrue();
      assertThat(sales.findValuesAsText("id")).containsExactly(live, upcoming);
      JsonNode first = sales.get(0);
      assertThat(first.path("state").asText()).isEqualTo("live");
      assertThat(first.path("remaining").asLong()).isEqualTo(7);
      assertThat(first.path("quantity").asLong()).isEqualTo(10);
      assertThat(first.path("productId").asText()).isEqualTo(t.productId());
      assertThat(first.path("endsAt").asText()).isNotEmpty();
      JsonNode second = sales.get(1);
      assertThat(second.path("state").asText()).isEqualTo("scheduled");
      assertThat(second.path("startsAt").asText()).isEqualTo(later.toString());
      assertThat(second.path("remaining").asLong()).isEqualTo(7);
      assertThat(second.path("perBuyerLimit").asLong()).isEqualTo(2);
    }
  }

  @Test
  void late_joiner_sees_how_many_units_were_bought_in_the_join_snapshot() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Bought count brand");
    String sale = t.createSale(t.liveSale(10, 5));
    try (DropcastClient buyer = node.connect(t.token("buyer"));
         DropcastClient holder = node.connect(t.token("holder"))) {
      buyer.join(t.showId());
      holder.join(t.showId());
      String held = buyer.call("sale.reserve", t.showId(), Map.of("sale", sale, "quantity", 3, "idempotencyKey", "k1"))
          .path("reservation").asText();
      buyer.call("reservation.confirm", t.showId(), Map.of("reservation", held));
      // A unit only held (not bought) is not part of "N bought".
      holder.call("sale.reserve", t.showId(), Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k2"));
    }

    try (DropcastClient late = node.connect(t.token("late"))) {
      JsonNode first = late.join(t.showId()).path("sales").get(0);
      assertThat(first.path("id").asText()).isEqualTo(sale);
      assertThat(first.path("sold").asLong()).isEqualTo(3);
      assertThat(first.path("remaining").asLong()).isEqualTo(6);
    }
  }

  @Test
  void show_without_sales_has_an_empty_sales_section() {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "No sales brand");
    try (DropcastClient viewer = node.connect(t.token("ann"))) {
      JsonNode snapshot = viewer.join(t.showId());
      assertThat(snapshot.path("sales").isArray()).isTrue();
      assertThat(snapshot.path("sales")).isEmpty();
    }
  }

  @Test
  void guest_in_a_show_that_allows_guests_watches_the_sale_but_may_not_buy() throws Exception {
    SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Guest brand", true);
    String sale = t.createSale(t.liveSale(5, 1));
    try (DropcastClient host = node.connect(t.hostToken());
         DropcastClient guest = node.connect(null)) {
      host.join(t.showId());
      host.call("product.pin", t.showId(), Map.of("productId", t.productId()));
      JsonNode snapshot = guest.join(t.showId());
      assertThat(snapshot.path("you").path("role").asText()).isEqualTo("guest");
      assertThat(snapshot.path("sales").findValuesAsText("id")).containsExactly(sale);

      assertThat(errorOf(() -> guest.call("sale.reserve", t.showId(),
          Map.of("sale", sale, "quantity", 1, "idempotencyKey", "g1")))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> guest.call("sale.waitlist", t.showId(), Map.of("sale", sale)))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> guest.call("chat.send", t.showId(), Map.of("text", "SOLD")))).isEqualTo(ErrorCode.FORBIDDEN);
      JsonNode audit = rest.get("/api/v1/sales/" + sale + "/audit", t.apiKey()).json();
      assertThat(audit.path("available").asLong()).isEqualTo(5);
      assertThat(audit.path("held").asLong()).isZero();
    }
  }
}
