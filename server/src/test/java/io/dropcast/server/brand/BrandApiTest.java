package io.dropcast.server.brand;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BrandApiTest {
  static TestNode node;
  static Rest rest;
  static final String ADMIN = TestNode.ADMIN_KEY;

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
  void admin_creates_a_brand_and_finds_it_by_id_and_in_the_list() {
    Rest.Response created = rest.post("/api/v1/brands", ADMIN, Map.of("name", "Acme"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("content-type")).startsWith("application/json");
    String id = created.json().path("id").asText();
    assertThat(id).startsWith("brd_");
    assertThat(created.json().path("name").asText()).isEqualTo("Acme");
    assertThat(Instant.parse(created.json().path("createdAt").asText())).isBefore(Instant.now().plusSeconds(1));

    Rest.Response got = rest.get("/api/v1/brands/" + id, ADMIN);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json()).isEqualTo(created.json());

    Rest.Response list = rest.get("/api/v1/brands", ADMIN);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("items").findValuesAsText("id")).contains(id);
  }

  @Test
  void brand_name_is_validated() {
    assertThat(rest.post("/api/v1/brands", ADMIN, Map.of()).text()).contains("'name'").contains("required");
    assertThat(rest.post("/api/v1/brands", ADMIN, Map.of("name", "")).errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(rest.post("/api/v1/brands", ADMIN, Map.of("name", "x".repeat(101))).errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(rest.post("/api/v1/brands", ADMIN, Map.of("name", 7)).text()).contains("'name'");
    Rest.Response unknown = rest.post("/api/v1/brands", ADMIN, Map.of("name", "A", "plan", "gold"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.text()).contains("unknown field 'plan'");
    assertThat(rest.post("/api/v1/brands", ADMIN, "[\"A\"]").text()).contains("JSON object");
  }

  @Test
  void unknown_brand_is_not_found() {
    assertThat(rest.get("/api/v1/brands/brd_nope", ADMIN).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.post("/api/v1/brands/brd_nope/keys", ADMIN, null).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.get("/api/v1/brands/brd_nope/keys", ADMIN).errorCode()).isEqualTo("NOT_FOUND");
  }

  @Test
  void issued_key_secret_is_shown_once_and_works_until_revoked() {
    Brands.BrandKey brand = Brands.create(node, "Keys Inc");
    assertThat(brand.key()).startsWith("dck_");
    assertThat(rest.get("/api/v1/products", brand.key()).status()).isEqualTo(200);

    Rest.Response keys = rest.get("/api/v1/brands/" + brand.brandId() + "/keys", ADMIN);
    assertThat(keys.status()).isEqualTo(200);
    assertThat(keys.json().path("items")).hasSize(1);
    assertThat(keys.json().path("items").get(0).path("id").asText()).isEqualTo(brand.keyId());
    assertThat(keys.json().path("items").get(0).path("prefix").asText()).isEqualTo(brand.key().substring(0, 8));
    assertThat(keys.text()).doesNotContain(brand.key()).doesNotContain("secretHash").doesNotContain("\"key\"");

    Rest.Response revoked = rest.delete("/api/v1/brands/" + brand.brandId() + "/keys/" + brand.keyId(), ADMIN);
    assertThat(revoked.status()).isEqualTo(204);
    assertThat(revoked.text()).isEmpty();
    Rest.Response after = rest.get("/api/v1/products", brand.key());
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.errorCode()).isEqualTo("UNAUTHORIZED");
    assertThat(rest.get("/api/v1/brands/" + brand.brandId() + "/keys", ADMIN).json().path("items")).isEmpty();
    assertThat(rest.delete("/api/v1/brands/" + brand.brandId() + "/keys/" + brand.keyId(), ADMIN).errorCode())
        .isEqualTo("NOT_FOUND");
  }

  @Test
  void a_key_cannot_be_revoked_through_another_brand() {
    Brands.BrandKey a = Brands.create(node, "A");
    Brands.BrandKey b = Brands.create(node, "B");
    assertThat(rest.delete("/api/v1/brands/" + a.brandId() + "/keys/" + b.keyId(), ADMIN).errorCode())
        .isEqualTo("NOT_FOUND");
    assertThat(rest.get("/api/v1/products", b.key()).status()).isEqualTo(200);
  }

  @Test
  void a_brand_may_hold_several_keys_and_revoking_one_keeps_the_other() {
    Brands.BrandKey brand = Brands.create(node, "Two keys");
    Rest.Response second = rest.post("/api/v1/brands/" + brand.brandId() + "/keys", ADMIN, null);
    assertThat(second.status()).isEqualTo(201);
    String secondKey = second.json().path("key").asText();
    assertThat(rest.delete("/api/v1/brands/" + brand.brandId() + "/keys/" + brand.keyId(), ADMIN).status()).isEqualTo(204);
    assertThat(rest.get("/api/v1/products", brand.key()).status()).isEqualTo(401);
    assertThat(rest.get("/api/v1/products", secondKey).status()).isEqualTo(200);
  }
}
