package io.dropcast.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/**
 * Test fixture: creates brands and their API keys through the admin REST API of a {@link TestNode},
 * and creates products and shows through the brand API (all over HTTP).
 */
public final class Brands {
  private Brands() {}

  /** A brand created over REST and one of its API keys. */
  public record BrandKey(String brandId, String key, String keyId) {}

  /** Creates a brand and issues it a key, asserting both succeed. */
  public static BrandKey create(TestNode node, String name) {
    Rest.Response brand = node.rest().post("/api/v1/brands", TestNode.ADMIN_KEY, Map.of("name", name));
    assertThat(brand.status()).as(brand.text()).isEqualTo(201);
    String brandId = brand.json().path("id").asText();
    Rest.Response key = node.rest().post("/api/v1/brands/" + brandId + "/keys", TestNode.ADMIN_KEY, null);
    assertThat(key.status()).as(key.text()).isEqualTo(201);
    return new BrandKey(brandId, key.json().path("key").asText(), key.json().path("id").asText());
  }

  /** Creates a product with a valid body, asserting 201; @return its id */
  public static String product(TestNode node, BrandKey brand, String sku) {
    Rest.Response r = node.rest().post("/api/v1/products", brand.key(),
        Map.of("sku", sku, "title", "Product " + sku, "priceMinor", 1999, "currency", "EUR"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** Creates a scheduled show hosted by {@code hostUserId} with the given lineup, asserting 201; @return its id */
  public static String show(TestNode node, BrandKey brand, String hostUserId, java.util.List<String> lineup) {
    Rest.Response r = node.rest().post("/api/v1/shows", brand.key(), Map.of("title", "Show", "scheduledStart",
        "2030-01-01T18:00:00Z", "hostUserId", hostUserId, "lineup", lineup));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** Creates a product and a sale of it that opened a second ago (no show); @return the sale id */
  public static String openSale(TestNode node, BrandKey brand, String sku) {
    java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Rest.Response sale = node.rest().post("/api/v1/sales", brand.key(), Map.of("productId", product(node, brand, sku),
        "priceMinor", 500, "quantity", 5, "startsAt", now.minusSeconds(1).toString(),
        "endsAt", now.plusSeconds(600).toString()));
    assertThat(sale.status()).as(sale.text()).isEqualTo(201);
    return sale.json().path("id").asText();
  }
}
