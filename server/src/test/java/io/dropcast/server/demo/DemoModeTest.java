package io.dropcast.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.brand.ApiKey;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.Stores;
import io.dropcast.server.testing.TestNode;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node started with {@code demo=true} has its brand, products, show, key and tokens ready. */
class DemoModeTest {
  static TestNode node;
  static DemoData.Seeded demo;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("demo", "true"));
    demo = node.server().demo();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void demo_brand_products_and_show_are_in_the_store() throws Exception {
    assertThat(demo).as("demo data seeded at start").isNotNull();
    Stores stores = node.server().stores();
    Brand brand = await(stores.brands().get(demo.brand().id()));
    assertThat(brand.name()).isEqualTo("Acme Outdoor");

    List<Product> products = await(stores.products().listByBrand(brand.id()));
    assertThat(products).extracting(Product::sku).containsExactlyInAnyOrder("TENT-2P", "BAG-35L", "MUG-TI");
    assertThat(products).allSatisfy(p -> {
      assertThat(p.priceMinor()).isPositive();
      assertThat(p.currency()).isEqualTo("EUR");
    });

    List<Show> shows = await(stores.shows().listByBrand(brand.id()));
    assertThat(shows).hasSize(1);
    Show show = shows.get(0);
    assertThat(show.id()).isEqualTo(demo.show().id());
    assertThat(show.guestsAllowed()).isTrue();
    assertThat(show.state()).isEqualTo(Show.State.SCHEDULED);
    assertThat(show.lineup()).containsExactlyInAnyOrderElementsOf(products.stream().map(Product::id).toList());
  }

  @Test
  void demo_brand_key_is_stored_for_the_demo_brand() throws Exception {
    ApiKey key = await(node.server().stores().apiKeys().findByUniqueKey(ApiKeys.hash(demo.apiKey())));
    assertThat(key).isNotNull();
    assertThat(key.brandId()).isEqualTo(demo.brand().id());
  }

  @Test
  void demo_tokens_verify_with_their_roles_for_the_demo_show() {
    var tokens = node.server().tokens();
    Identity host = tokens.verify(demo.hostToken());
    Identity moderator = tokens.verify(demo.moderatorToken());
    Identity viewer = tokens.verify(demo.viewerToken());
    assertThat(List.of(host.role(), moderator.role(), viewer.role()))
        .containsExactly(Role.HOST, Role.MODERATOR, Role.VIEWER);
    assertThat(List.of(host, moderator, viewer)).allSatisfy(identity -> {
      assertThat(identity.brandId()).isEqualTo(demo.brand().id());
      assertThat(identity.showId()).isEqualTo(demo.show().id());
    });
    assertThat(host.userId()).isEqualTo(demo.show().hostUserId());
  }

  @Test
  void demo_viewer_token_authenticates_a_socket() {
    try (DropcastClient client = node.connect(demo.viewerToken())) {
      JsonNode user = client.hello().path("user");
      assertThat(user.path("role").asText()).isEqualTo("viewer");
      assertThat(user.path("show").asText()).isEqualTo(demo.show().id());
      assertThat(client.call("ping", null, null).path("time").asLong()).isPositive();
    }
  }

  @Test
  void a_node_without_demo_mode_seeds_nothing() throws Exception {
    try (TestNode plain = TestNode.start()) {
      assertThat(plain.server().demo()).isNull();
      assertThat(await(plain.server().stores().brands().listByBrand(demo.brand().id()))).isEmpty();
    }
  }
}
