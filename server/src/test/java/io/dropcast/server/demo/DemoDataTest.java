package io.dropcast.server.demo;

import static io.dropcast.server.testing.Calls.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a newcomer finds in demo mode: the seeded show comes with a flash sale counting down. */
class DemoDataTest {
  static TestNode node;
  static DemoData.Seeded demo;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start();
    demo = DemoData.seed(node.server()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void demo_show_has_a_small_flash_sale_that_opens_a_couple_of_minutes_after_start_up() {
    JsonNode sales = node.rest().get("/api/v1/sales", demo.apiKey()).json().path("sales");
    assertThat(sales).hasSize(1);
    JsonNode sale = sales.get(0);
    assertThat(sale.path("showId").asText()).isEqualTo(demo.show().id());
    assertThat(sale.path("productId").asText()).isIn(demo.show().lineup());
    assertThat(sale.path("state").asText()).isEqualTo("scheduled");
    assertThat(sale.path("perBuyerLimit").asInt()).isEqualTo(2);
    assertThat(sale.path("quantity").asInt()).isBetween(1, 20);
    Instant startsAt = Instant.parse(sale.path("startsAt").asText());
    assertThat(Duration.between(Instant.now(), startsAt)).isBetween(Duration.ofSeconds(60), DemoData.SALE_DELAY);
  }

  @Test
  void guest_joining_the_demo_show_sees_the_countdown_and_a_viewer_cannot_buy_before_it_opens() {
    try (DropcastClient guest = node.connect(null);
         DropcastClient viewer = node.connect(demo.viewerToken())) {
      JsonNode sales = guest.join(demo.show().id()).path("sales");
      assertThat(sales).hasSize(1);
      assertThat(sales.get(0).path("state").asText()).isEqualTo("scheduled");
      assertThat(sales.get(0).path("remaining").asInt()).isEqualTo(sales.get(0).path("quantity").asInt());
      viewer.join(demo.show().id());
      String saleId = sales.get(0).path("id").asText();
      assertThat(errorOf(() -> viewer.call("sale.reserve", demo.show().id(),
          Map.of("sale", saleId, "idempotencyKey", "early")))).isEqualTo(ErrorCode.NOT_STARTED);
    }
  }
}
