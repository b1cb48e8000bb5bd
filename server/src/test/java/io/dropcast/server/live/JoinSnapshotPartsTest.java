package io.dropcast.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the pages need from a fresh join snapshot beyond the room's own state: lineup cards, sales. */
class JoinSnapshotPartsTest {
  static TestNode node;
  static ShowFixture acme;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of());
    acme = ShowFixture.brand(node, "Acme");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void the_host_and_moderators_get_the_lineup_as_product_cards_and_viewers_do_not() {
    Show show = acme.show(true);
    try (DropcastClient host = node.connect(acme.hostToken(show));
         DropcastClient mod = node.connect(acme.moderatorToken(show, "m1"));
         DropcastClient viewer = node.connect(acme.viewerToken(show, "v1"));
         DropcastClient guest = node.connect(null)) {
      for (DropcastClient staff : List.of(host, mod)) {
        JsonNode cards = staff.join(show.id()).path("lineupProducts");
        assertThat(cards.findValuesAsText("productId"))
            .containsExactlyElementsOf(acme.products().stream().map(Product::id).toList());
        Product first = acme.products().get(0);
        assertThat(cards.get(0).path("title").asText()).isEqualTo(first.title());
        assertThat(cards.get(0).path("priceMinor").asLong()).isEqualTo(first.priceMinor());
        assertThat(cards.get(0).path("currency").asText()).isEqualTo("EUR");
        assertThat(cards.get(0).path("imageUrl").asText()).isEqualTo(first.imageUrl());
      }
      assertThat(viewer.join(show.id()).has("lineupProducts")).isFalse();
      assertThat(guest.join(show.id()).has("lineupProducts")).isFalse();
    }
  }

  @Test
  void a_viewer_who_joins_after_a_sale_was_scheduled_sees_it_with_its_stock_in_the_snapshot() {
    Show show = acme.show(false);
    Show otherShow = acme.show(false);
    Instant now = Instant.now();
    Rest.Response created = node.rest().post("/api/v1/sales", acme.apiKey(), Map.of(
        "productId", acme.products().get(1).id(), "showId", show.id(), "priceMinor", 990, "quantity", 7,
        "startsAt", now.plusSeconds(30).toString(), "endsAt", now.plusSeconds(600).toString()));
    assertThat(created.status()).isEqualTo(201);
    String saleId = created.json().path("id").asText();
    assertThat(node.rest().post("/api/v1/sales", acme.apiKey(), Map.of(
        "productId", acme.products().get(2).id(), "showId", otherShow.id(), "priceMinor", 100, "quantity", 1,
        "startsAt", now.plusSeconds(30).toString(), "endsAt", now.plusSeconds(600).toString())).status()).isEqualTo(201);

    try (DropcastClient viewer = node.connect(acme.viewerToken(show, "v2"))) {
      JsonNode snap = viewer.join(show.id());
      JsonNode sales = snap.path("sales");
      assertThat(sales.findValuesAsText("id")).containsExactly(saleId);
      JsonNode sale = sales.get(0);
      assertThat(sale.path("productId").asText()).isEqualTo(acme.products().get(1).id());
      assertThat(sale.path("priceMinor").asLong()).isEqualTo(990);
      assertThat(sale.path("state").asText()).isEqualTo("scheduled");
      assertThat(sale.path("remaining").asInt()).isEqualTo(7);
      assertThat(sale.path("startsAt").asText()).isNotEmpty();

      JsonNode recovered = viewer.call("join", show.id(), Map.of("lastSeq", snap.path("seq").asLong()));
      assertThat(recovered.path("recovered").asBoolean()).isTrue();
      assertThat(recovered.has("sales")).as("a recovery reply carries no snapshot parts").isFalse();
    }
  }
}
