package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.errorOf;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.media.MediaFrame;
import io.dropcast.protocol.media.MediaFrame.Kind;
import io.dropcast.protocol.media.MediaFrame.TrackType;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProductPinTest {
  static TestNode node;
  static ShowFixture acme;
  static ShowFixture other;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    acme = ShowFixture.brand(node, "Acme");
    other = ShowFixture.brand(node, "Other");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Map<String, Object> product(Product p) {
    return Map.of("productId", p.id());
  }

  @Test
  void pin_reaches_all_viewers_with_the_product_card_and_the_hosts_media_timestamp() throws Exception {
    Show show = acme.show(false);
    Product tent = acme.products().get(0);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show);
         DropcastClient b = acme.joined(acme.viewerToken(show, "b"), show)) {
      JsonNode before = host.call("product.pin", show.id(), product(acme.products().get(3)));
      assertThat(before.path("pins").get(0).path("mediaTimestamp").isNull()).as("no media sent yet").isTrue();

      host.call("show.start", show.id(), null);
      host.sendMedia(new MediaFrame(Kind.KEY, 0, TrackType.VIDEO, 12_345_678L, 33_333, new byte[] {1}));
      assertThat(a.media().poll(5, TimeUnit.SECONDS).timestampMicros()).isEqualTo(12_345_678L);
      host.call("product.pin", show.id(), product(tent));
      for (DropcastClient viewer : List.of(a, b)) {
        JsonNode event = next(viewer, e -> Events.PINS.equals(e.path("event").asText())
            && tent.id().equals(e.path("data").path("productId").asText()), "the pin");
        assertThat(event.path("data").path("action").asText()).isEqualTo("pinned");
        JsonNode card = event.path("data").path("pins").get(1);
        assertThat(card.path("productId").asText()).isEqualTo(tent.id());
        assertThat(card.path("title").asText()).isEqualTo(tent.title());
        assertThat(card.path("priceMinor").asLong()).isEqualTo(tent.priceMinor());
        assertThat(card.path("currency").asText()).isEqualTo("EUR");
        assertThat(card.path("imageUrl").asText()).isEqualTo(tent.imageUrl());
        assertThat(card.path("mediaTimestamp").asLong()).isEqualTo(12_345_678L);
      }
      try (DropcastClient late = node.connect(acme.viewerToken(show, "late"))) {
        JsonNode pins = late.join(show.id()).path("pins");
        assertThat(pins.findValuesAsText("productId")).containsExactly(acme.products().get(3).id(), tent.id());
      }
      host.call("product.unpin", show.id(), product(tent));
      JsonNode unpinned = next(a, e -> Events.PINS.equals(e.path("event").asText())
          && "unpinned".equals(e.path("data").path("action").asText()), "the unpin");
      assertThat(unpinned.path("data").path("pins").findValuesAsText("productId")).doesNotContain(tent.id());
      assertThat(errorOf(() -> host.call("product.unpin", show.id(), product(tent)))).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void only_host_or_moderator_pins_and_a_fourth_pin_is_rejected() {
    Show show = acme.show(false);
    List<Product> p = acme.products();
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient mod = acme.joined(acme.moderatorToken(show, "mod"), show);
         DropcastClient viewer = acme.joined(acme.viewerToken(show, "v"), show)) {
      assertThat(errorOf(() -> viewer.call("product.pin", show.id(), product(p.get(0))))).isEqualTo(ErrorCode.FORBIDDEN);
      host.call("product.pin", show.id(), product(p.get(0)));
      mod.call("product.pin", show.id(), product(p.get(1)));
      JsonNode three = host.call("product.pin", show.id(), product(p.get(2)));
      assertThat(three.path("pins")).hasSize(3);
      assertThat(host.call("product.pin", show.id(), product(p.get(2))).path("pins"))
          .as("pinning a pinned product again changes nothing").hasSize(3);
      assertThat(errorOf(() -> mod.call("product.pin", show.id(), product(p.get(3))))).isEqualTo(ErrorCode.CONFLICT);
      assertThat(errorOf(() -> viewer.call("product.unpin", show.id(), product(p.get(0))))).isEqualTo(ErrorCode.FORBIDDEN);
      mod.call("product.unpin", show.id(), product(p.get(0)));
      assertThat(host.call("product.pin", show.id(), product(p.get(3))).path("pins")).hasSize(3);
    }
  }

  @Test
  void products_outside_the_lineup_or_of_another_brand_cannot_be_pinned() {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show)) {
      assertThat(errorOf(() -> host.call("product.pin", show.id(), product(acme.outsideLineup()))))
          .isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(errorOf(() -> host.call("product.pin", show.id(), product(other.products().get(0)))))
          .isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(errorOf(() -> host.call("product.pin", show.id(), Map.of("productId", 7))))
          .isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(errorOf(() -> host.call("product.pin", show.id(), Map.of())))
          .isEqualTo(ErrorCode.BAD_REQUEST);
    }
  }
}
