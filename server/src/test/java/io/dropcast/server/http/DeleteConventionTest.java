package io.dropcast.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DELETE convention of docs/rest-api.md, over real HTTP: 204 for objects by id, 200 for the webhook setting. */
class DeleteConventionTest {
  static TestNode node;
  static Rest rest;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    rest = node.rest();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void deleting_a_product_answers_204_with_no_body() {
    Brands.BrandKey brand = Brands.create(node, "Delete brand");
    String product = Brands.product(node, brand, "DEL-1");
    Rest.Response r = rest.delete("/api/v1/products/" + product, brand.key());
    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(r.text()).isEmpty();
  }

  @Test
  void removing_the_webhook_answers_200_with_whether_one_was_removed() {
    Brands.BrandKey brand = Brands.create(node, "Webhook brand");
    Rest.Response put = rest.put("/api/v1/webhooks", brand.key(), Map.of("url", "https://shop.example/hooks"));
    assertThat(put.status()).as(put.text()).isEqualTo(200);

    Rest.Response first = rest.delete("/api/v1/webhooks", brand.key());
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.json().path("deleted").asBoolean()).isTrue();

    Rest.Response again = rest.delete("/api/v1/webhooks", brand.key());
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.json().path("deleted").isBoolean()).isTrue();
    assertThat(again.json().path("deleted").asBoolean()).as("nothing left to remove").isFalse();
  }
}
