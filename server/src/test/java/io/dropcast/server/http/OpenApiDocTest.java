package io.dropcast.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The OpenAPI document is served without auth and describes exactly the routes the server has. */
class OpenApiDocTest {
  static TestNode node;
  static Rest.Response served;
  static Map<String, Object> doc;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void start() {
    node = TestNode.start();
    served = node.rest().get("/api/v1/openapi.yaml", null);
    doc = (Map<String, Object>) new Yaml().load(served.text());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void openapi_document_is_served_without_a_key() {
    assertThat(served.status()).isEqualTo(200);
    assertThat(served.header("content-type")).startsWith("application/yaml");
    assertThat(doc.get("openapi")).isEqualTo("3.1.0");
  }

  @Test
  @SuppressWarnings("unchecked")
  void every_api_route_is_documented_and_every_documented_operation_exists() {
    Router probe = Router.router(node.server().vertx());
    node.server().apiModules().forEach(m -> m.mount(probe));
    Set<String> routed = new TreeSet<>();
    for (Route route : probe.getRoutes()) {
      assertThat(route.methods()).as("route %s has explicit methods", route.getPath()).isNotEmpty();
      String path = route.getPath().replaceAll(":(\\w+)", "{$1}");
      for (HttpMethod method : route.methods()) {
        routed.add(method.name() + " " + path);
      }
    }
    routed.add("GET /openapi.yaml");

    Set<String> documented = new TreeSet<>();
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
    Set<String> verbs = Set.of("get", "put", "post", "patch", "delete", "head", "options");
    paths.forEach((path, item) -> item.keySet().stream().filter(verbs::contains)
        .forEach(verb -> documented.add(verb.toUpperCase(Locale.ROOT) + " " + path)));

    assertThat(documented).isEqualTo(routed);
    assertThat(routed).contains("POST /brands", "DELETE /brands/{id}/keys/{keyId}", "PATCH /products/{id}",
        "DELETE /shows/{id}", "POST /tokens");
    List<Map<String, Object>> servers = (List<Map<String, Object>>) doc.get("servers");
    assertThat(servers.get(0).get("url")).isEqualTo("/api/v1");
  }

  @Test
  @SuppressWarnings("unchecked")
  void error_schema_lists_every_error_code_and_bearer_security_is_declared() {
    Map<String, Object> components = (Map<String, Object>) doc.get("components");
    Map<String, Object> schemas = (Map<String, Object>) components.get("schemas");
    Map<String, Object> errorCode = (Map<String, Object>) schemas.get("ErrorCode");
    assertThat((List<String>) errorCode.get("enum"))
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorCode.values()).map(Enum::name).toList());
    Map<String, Object> schemes = (Map<String, Object>) components.get("securitySchemes");
    Map<String, Object> apiKey = (Map<String, Object>) schemes.get("apiKey");
    assertThat(apiKey).containsEntry("type", "http").containsEntry("scheme", "bearer");
    assertThat(doc.get("security")).isEqualTo(List.of(Map.of("apiKey", List.of())));
  }
}
