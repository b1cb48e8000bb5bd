package io.dropcast.server.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProductApiTest {
  static TestNode node;
  static Rest rest;
  static Brands.BrandKey brand;
  static Brands.BrandKey other;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("http.max-body-bytes", "8192"));
    rest = node.rest();
    brand = Brands.create(node, "Catalog brand");
    other = Brands.create(node, "Other brand");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Map<String, Object> valid(String sku) {
    Map<String, Object> body = new HashMap<>();
    body.put("sku", sku);
    body.put("title", "Trail backpack 35 L");
    body.put("description", "Waterproof.\nVentilated back panel.");
    body.put("imageUrl", "https://example.com/bag.jpg");
    body.put("priceMinor", 12900);
    body.put("currency", "EUR");
    return body;
  }

  @Test
  void brand_creates_reads_lists_updates_and_deletes_a_product() {
    Rest.Response created = rest.post("/api/v1/products", brand.key(), valid("BAG-35L"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode p = created.json();
    String id = p.path("id").asText();
    assertThat(id).startsWith("prd_");
    assertThat(p.path("brandId").asText()).isEqualTo(brand.brandId());
    assertThat(p.path("sku").asText()).isEqualTo("BAG-35L");
    assertThat(p.path("description").asText()).isEqualTo("Waterproof.\nVentilated back panel.");
    assertThat(p.path("priceMinor").asLong()).isEqualTo(12900);
    assertThat(p.path("currency").asText()).isEqualTo("EUR");
    assertThat(p.path("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    assertThat(rest.get("/api/v1/products/" + id, brand.key()).json()).isEqualTo(p);
    assertThat(rest.get("/api/v1/products", brand.key()).json().path("items").findValuesAsText("id")).contains(id);

    Rest.Response patched = rest.patch("/api/v1/products/" + id, brand.key(), Map.of("priceMinor", 9900, "title", "Sale bag"));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("priceMinor").asLong()).isEqualTo(9900);
    assertThat(patched.json().path("title").asText()).isEqualTo("Sale bag");
    assertThat(patched.json().path("sku").asText()).isEqualTo("BAG-35L");
    assertThat(patched.json().path("createdAt")).isEqualTo(p.path("createdAt"));

    Map<String, Object> clear = new HashMap<>();
    clear.put("imageUrl", null);
    assertThat(rest.patch("/api/v1/products/" + id, brand.key(), clear).json().path("imageUrl").isNull()).isTrue();

    assertThat(rest.delete("/api/v1/products/" + id, brand.key()).status()).isEqualTo(204);
    assertThat(rest.get("/api/v1/products/" + id, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.delete("/api/v1/products/" + id, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
  }

  @Test
  void optional_fields_default_to_empty_description_and_no_image() {
    Rest.Response r = rest.post("/api/v1/products", brand.key(),
        Map.of("sku", "MIN-1", "title", "Minimal", "priceMinor", 0, "currency", "JPY"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("description").asText()).isEmpty();
    assertThat(r.json().path("imageUrl").isNull()).isTrue();
  }

  static Stream<Arguments> invalidFields() {
    return Stream.of(
        Arguments.of("sku", null, "required"),
        Arguments.of("sku", "", "'sku'"),
        Arguments.of("sku", "x".repeat(65), "'sku'"),
        Arguments.of("sku", "has space", "'sku'"),
        Arguments.of("sku", 42, "'sku'"),
        Arguments.of("title", null, "required"),
        Arguments.of("title", "", "'title'"),
        Arguments.of("title", "t".repeat(201), "'title'"),
        Arguments.of("title", "two\nlines", "'title'"),
        Arguments.of("description", "d".repeat(5001), "'description'"),
        Arguments.of("description", List.of("x"), "'description'"),
        Arguments.of("imageUrl", "ftp://example.com/a.jpg", "'imageUrl'"),
        Arguments.of("imageUrl", "not a url", "'imageUrl'"),
        Arguments.of("imageUrl", "https://example.com/" + "a".repeat(2048), "'imageUrl'"),
        Arguments.of("priceMinor", null, "required"),
        Arguments.of("priceMinor", -1, "'priceMinor'"),
        Arguments.of("priceMinor", 1_000_000_000_001L, "'priceMinor'"),
        Arguments.of("priceMinor", 12.5, "'priceMinor'"),
        Arguments.of("priceMinor", "100", "'priceMinor'"),
        Arguments.of("currency", null, "required"),
        Arguments.of("currency", "eur", "'currency'"),
        Arguments.of("currency", "EURO", "'currency'"),
        Arguments.of("currency", "XYZ", "'currency'"),
        Arguments.of("colour", "red", "unknown field 'colour'"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalidFields")
  void invalid_product_fields_are_rejected_naming_the_field_and_nothing_is_created(String field, Object value,
      String expected) {
    int before = rest.get("/api/v1/products", brand.key()).json().path("items").size();
    Map<String, Object> body = valid("BAD-" + field);
    if (value == null) {
      body.remove(field);
    } else {
      body.put(field, value);
    }
    Rest.Response r = rest.post("/api/v1/products", brand.key(), body);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(r.json().path("error").path("message").asText()).contains(expected);
    assertThat(rest.get("/api/v1/products", brand.key()).json().path("items")).hasSize(before);
  }

  @Test
  void a_patch_with_one_bad_field_changes_nothing() {
    String id = Brands.product(node, brand, "HALF-1");
    JsonNode before = rest.get("/api/v1/products/" + id, brand.key()).json();
    Rest.Response r = rest.patch("/api/v1/products/" + id, brand.key(), Map.of("title", "New title", "currency", "??"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("'currency'");
    assertThat(rest.get("/api/v1/products/" + id, brand.key()).json()).isEqualTo(before);
  }

  @Test
  void sku_is_unique_within_a_brand_but_not_across_brands() {
    Brands.product(node, brand, "DUP-1");
    Rest.Response dup = rest.post("/api/v1/products", brand.key(), valid("DUP-1"));
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.errorCode()).isEqualTo("CONFLICT");
    assertThat(dup.text()).contains("DUP-1");
    assertThat(rest.post("/api/v1/products", other.key(), valid("DUP-1")).status()).isEqualTo(201);

    String second = Brands.product(node, brand, "DUP-2");
    Rest.Response rename = rest.patch("/api/v1/products/" + second, brand.key(), Map.of("sku", "DUP-1"));
    assertThat(rename.errorCode()).isEqualTo("CONFLICT");
    assertThat(rest.get("/api/v1/products/" + second, brand.key()).json().path("sku").asText()).isEqualTo("DUP-2");
  }

  @Test
  void another_brands_product_is_not_found_and_stays_unchanged() {
    String theirs = Brands.product(node, other, "THEIRS-1");
    JsonNode before = rest.get("/api/v1/products/" + theirs, other.key()).json();

    assertThat(rest.get("/api/v1/products/" + theirs, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.patch("/api/v1/products/" + theirs, brand.key(), Map.of("title", "mine now")).errorCode())
        .isEqualTo("NOT_FOUND");
    assertThat(rest.delete("/api/v1/products/" + theirs, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.get("/api/v1/products", brand.key()).json().path("items").findValuesAsText("id")).doesNotContain(theirs);

    assertThat(rest.get("/api/v1/products/" + theirs, other.key()).json()).isEqualTo(before);
  }

  @Test
  void a_product_in_a_show_lineup_cannot_be_deleted() {
    String id = Brands.product(node, brand, "PINNED-1");
    String show = Brands.show(node, brand, "host-1", List.of(id));
    Rest.Response r = rest.delete("/api/v1/products/" + id, brand.key());
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("CONFLICT");
    assertThat(r.text()).contains(show).contains("lineup");
    assertThat(rest.get("/api/v1/products/" + id, brand.key()).status()).isEqualTo(200);

    assertThat(rest.patch("/api/v1/shows/" + show, brand.key(), Map.of("lineup", List.of())).status()).isEqualTo(200);
    assertThat(rest.delete("/api/v1/products/" + id, brand.key()).status()).isEqualTo(204);
  }

  @Test
  void malformed_json_and_non_object_bodies_are_bad_requests() {
    Rest.Response malformed = rest.post("/api/v1/products", brand.key(), "{\"sku\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(malformed.text()).contains("JSON");
    assertThat(rest.post("/api/v1/products", brand.key(), "[]").text()).contains("JSON object");
    assertThat(rest.post("/api/v1/products", brand.key(), "\"text\"").errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(rest.post("/api/v1/products", brand.key(), "null").errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(rest.post("/api/v1/products", brand.key(), null).text()).contains("JSON object");
  }

  @Test
  void oversized_body_is_too_large() {
    Map<String, Object> body = valid("BIG-1");
    body.put("description", "d".repeat(9000));
    Rest.Response r = rest.post("/api/v1/products", brand.key(), body);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.errorCode()).isEqualTo("TOO_LARGE");
    assertThat(rest.get("/api/v1/products", brand.key()).json().path("items").findValuesAsText("sku")).doesNotContain("BIG-1");
  }
}
