package io.dropcast.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may call which REST route: every route against no key, a wrong key, the admin key and a brand key. */
class RestAuthMatrixTest {
  static TestNode node;
  static Rest rest;
  static Brands.BrandKey brand;
  static String productId;
  static String showId;

  /** A route with a body that would be valid, so only the key decides the answer. */
  record Route(String method, String path, Object body, boolean admin) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  @BeforeAll
  static void start() {
    node = TestNode.start();
    rest = node.rest();
    brand = Brands.create(node, "Matrix");
    productId = Brands.product(node, brand, "M-1");
    showId = Brands.show(node, brand, "host", List.of());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Stream<Route> routes() {
    return Stream.of(
        new Route("POST", "/api/v1/brands", Map.of("name", "N"), true),
        new Route("GET", "/api/v1/brands", null, true),
        new Route("GET", "/api/v1/brands/{brand}", null, true),
        new Route("POST", "/api/v1/brands/{brand}/keys", null, true),
        new Route("GET", "/api/v1/brands/{brand}/keys", null, true),
        new Route("DELETE", "/api/v1/brands/{brand}/keys/key_missing", null, true),
        new Route("POST", "/api/v1/products", Map.of("sku", "M-2", "title", "T", "priceMinor", 1, "currency", "EUR"), false),
        new Route("GET", "/api/v1/products", null, false),
        new Route("GET", "/api/v1/products/{product}", null, false),
        new Route("PATCH", "/api/v1/products/{product}", Map.of("title", "T2"), false),
        new Route("DELETE", "/api/v1/products/prd_missing", null, false),
        new Route("POST", "/api/v1/shows", Map.of("title", "S", "scheduledStart", "2030-01-01T00:00:00Z", "hostUserId", "h"), false),
        new Route("GET", "/api/v1/shows", null, false),
        new Route("GET", "/api/v1/shows/{show}", null, false),
        new Route("PATCH", "/api/v1/shows/{show}", Map.of("title", "S2"), false),
        new Route("DELETE", "/api/v1/shows/shw_missing", null, false),
        new Route("POST", "/api/v1/tokens", Map.of("role", "viewer", "userId", "u", "name", "U"), false));
  }

  static Rest.Response call(Route route, String key) {
    String path = route.path().replace("{brand}", brand.brandId()).replace("{product}", productId)
        .replace("{show}", showId);
    return rest.send(route.method(), path, key, route.body(), Map.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void no_key_is_unauthorized(Route route) {
    Rest.Response r = call(route, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.errorCode()).isEqualTo("UNAUTHORIZED");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void a_wrong_key_is_unauthorized(Route route) {
    assertThat(call(route, "dck_not-a-real-key").errorCode()).isEqualTo("UNAUTHORIZED");
    assertThat(call(route, TestNode.ADMIN_KEY + "x").errorCode()).isEqualTo("UNAUTHORIZED");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void only_the_right_kind_of_key_gets_through(Route route) {
    Rest.Response asAdmin = call(route, TestNode.ADMIN_KEY);
    Rest.Response asBrand = call(route, brand.key());
    Rest.Response allowed = route.admin() ? asAdmin : asBrand;
    Rest.Response denied = route.admin() ? asBrand : asAdmin;
    assertThat(denied.status()).as(denied.text()).isEqualTo(403);
    assertThat(denied.errorCode()).isEqualTo("FORBIDDEN");
    assertThat(allowed.status()).as(allowed.text()).isIn(200, 201, 204, 404);
    if (route.path().contains("missing")) {
      assertThat(allowed.errorCode()).isEqualTo("NOT_FOUND");
    } else {
      assertThat(allowed.status()).isIn(200, 201);
    }
  }

  @Test
  void a_malformed_authorization_header_is_unauthorized() {
    Rest.Response basic = rest.send("GET", "/api/v1/products", null, null, Map.of("Authorization", "Basic abc"));
    assertThat(basic.errorCode()).isEqualTo("UNAUTHORIZED");
    assertThat(basic.text()).contains("Bearer");
  }

  @Test
  void an_unknown_api_route_or_method_is_not_found() {
    assertThat(rest.get("/api/v1/nothing-here", brand.key()).errorCode()).isEqualTo("NOT_FOUND");
    Rest.Response put = rest.put("/api/v1/products", brand.key(), Map.of());
    assertThat(put.status()).isEqualTo(404);
    assertThat(put.text()).contains("no route for PUT /api/v1/products");
  }
}
