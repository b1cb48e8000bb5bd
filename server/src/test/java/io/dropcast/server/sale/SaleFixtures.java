package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.await;

import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.TestNode;
import io.dropcast.server.util.Ids;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seeds a brand with an API key, a product and a show straight into a node's store: this branch has
 * no REST routes for brands, catalog or shows yet. Everything under test then goes over sockets.
 */
final class SaleFixtures {
  private SaleFixtures() {}

  /**
   * @param productId the product sales are made for by default
   * @param secondProductId another product of the show's lineup
   */
  record Tenant(String brandId, String apiKey, String productId, String secondProductId, String showId, TestNode node) {

    /** Creates a sale over REST (must answer 201) and returns its id. */
    String createSale(java.util.Map<String, Object> body) {
      io.dropcast.server.testing.Rest.Response r = node.rest().post("/api/v1/sales", apiKey, body);
      org.assertj.core.api.Assertions.assertThat(r.status()).as(r.text()).isEqualTo(201);
      return r.json().path("id").asText();
    }

    String token(String userId) {
      return node.server().tokens().mint(new Identity(userId, userId, Role.VIEWER, brandId, null, null), Duration.ofHours(1));
    }

    /** @return a token of the show's host (who may pin products) */
    String hostToken() {
      return node.server().tokens().mint(new Identity("host", "Host", Role.HOST, brandId, showId, null), Duration.ofHours(1));
    }

    /** @return a create-sale body: live now, for one hour */
    Map<String, Object> liveSale(int quantity, int limit) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      return saleBody(quantity, limit, now.minusSeconds(1), now.plusSeconds(3600));
    }

    Map<String, Object> saleBody(int quantity, int limit, Instant startsAt, Instant endsAt) {
      return saleBody(productId, quantity, limit, startsAt, endsAt);
    }

    Map<String, Object> saleBody(String product, int quantity, int limit, Instant startsAt, Instant endsAt) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("productId", product);
      body.put("showId", showId);
      body.put("priceMinor", 1990);
      body.put("quantity", quantity);
      body.put("startsAt", startsAt.toString());
      body.put("endsAt", endsAt.toString());
      body.put("perBuyerLimit", limit);
      body.put("holdSeconds", 60);
      return body;
    }
  }

  static Tenant tenant(TestNode node, String name) {
    return tenant(node, name, false);
  }

  /** @param guestsAllowed whether guests may join the tenant's show */
  static Tenant tenant(TestNode node, String name, boolean guestsAllowed) {
    var stores = node.server().stores();
    Instant now = Instant.now();
    Brand brand = await(stores.brands().create(new Brand(Ids.newId("brd"), name, now)));
    String key = await(ApiKeys.issue(stores, brand.id())).secret();
    Product product = await(stores.products().create(new Product(Ids.newId("prd"), brand.id(), "SKU-" + Ids.random(6),
        "Tent", "", null, 24900, "EUR", now, now)));
    Product second = await(stores.products().create(new Product(Ids.newId("prd"), brand.id(), "SKU-" + Ids.random(6),
        "Mug", "", null, 2900, "EUR", now, now)));
    Show show = await(stores.shows().create(new Show(Ids.newId("shw"), brand.id(), "Drop", now, "host",
        List.of(product.id(), second.id()), false, guestsAllowed, Show.State.SCHEDULED, null, null, now, now)));
    return new Tenant(brand.id(), key, product.id(), second.id(), show.id(), node);
  }
}
