package io.dropcast.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenApiTest {
  static TestNode node;
  static Rest rest;
  static Brands.BrandKey brand;
  static Brands.BrandKey other;
  static String show;
  static String othersShow;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("token.default-ttl-seconds", "600", "token.max-ttl-seconds", "7200"));
    rest = node.rest();
    brand = Brands.create(node, "Token brand");
    other = Brands.create(node, "Other token brand");
    show = Brands.show(node, brand, "host-ana", List.of());
    othersShow = Brands.show(node, other, "host-zed", List.of());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Rest.Response mint(Map<String, Object> body) {
    return rest.post("/api/v1/tokens", brand.key(), body);
  }

  static Map<String, Object> request(String role, String showId, String userId) {
    Map<String, Object> body = new HashMap<>();
    body.put("role", role);
    if (showId != null) {
      body.put("show", showId);
    }
    body.put("userId", userId);
    body.put("name", "Name of " + userId);
    return body;
  }

  @Test
  void a_minted_host_token_authenticates_the_host_on_the_socket() {
    Rest.Response r = mint(request("host", show, "host-ana"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("role").asText()).isEqualTo("host");
    assertThat(r.json().path("show").asText()).isEqualTo(show);
    assertThat(r.json().path("userId").asText()).isEqualTo("host-ana");
    Instant expiresAt = Instant.parse(r.json().path("expiresAt").asText());
    assertThat(expiresAt).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));

    try (DropcastClient client = node.connect(r.json().path("token").asText())) {
      JsonNode user = client.hello().path("user");
      assertThat(user.path("userId").asText()).isEqualTo("host-ana");
      assertThat(user.path("name").asText()).isEqualTo("Name of host-ana");
      assertThat(user.path("role").asText()).isEqualTo("host");
      assertThat(user.path("show").asText()).isEqualTo(show);
      assertThat(user.path("brand").asText()).isEqualTo(brand.brandId());
    }
  }

  @Test
  void a_brand_wide_viewer_token_works_through_the_auth_op() {
    Map<String, Object> body = request("viewer", null, "viewer-cleo");
    body.put("ttlSeconds", 7200);
    Rest.Response r = mint(body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("show").isNull()).isTrue();
    assertThat(Instant.parse(r.json().path("expiresAt").asText())).isAfter(Instant.now().plusSeconds(7100));

    try (DropcastClient client = node.connect(null)) {
      JsonNode user = client.call("auth", null, Map.of("token", r.json().path("token").asText()));
      assertThat(user.path("userId").asText()).isEqualTo("viewer-cleo");
      assertThat(user.path("role").asText()).isEqualTo("viewer");
      assertThat(user.has("show")).isFalse();
    }
  }

  @Test
  void moderator_and_viewer_tokens_can_name_a_show() {
    assertThat(mint(request("moderator", show, "mod-ben")).json().path("role").asText()).isEqualTo("moderator");
    assertThat(mint(request("viewer", show, "v1")).json().path("show").asText()).isEqualTo(show);
  }

  @Test
  void host_token_must_match_the_shows_host() {
    Rest.Response r = mint(request("host", show, "someone-else"));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("CONFLICT");
    assertThat(r.text()).contains("host-ana");
  }

  @Test
  void host_and_moderator_tokens_need_a_show() {
    for (String role : List.of("host", "moderator")) {
      Rest.Response r = mint(request(role, null, "u"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("'show'");
    }
  }

  @Test
  void another_brands_show_or_a_missing_show_is_not_found() {
    assertThat(mint(request("viewer", othersShow, "v")).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(mint(request("host", othersShow, "host-zed")).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(mint(request("viewer", "shw_missing", "v")).errorCode()).isEqualTo("NOT_FOUND");
  }

  @Test
  void token_request_fields_are_validated() {
    assertThat(mint(request("admin", show, "u")).text()).contains("'role'");
    assertThat(mint(request("guest", show, "u")).text()).contains("'role'");
    assertThat(mint(request("viewer", show, "")).text()).contains("'userId'");
    assertThat(mint(request("viewer", show, "u".repeat(65))).text()).contains("'userId'");
    Map<String, Object> noName = request("viewer", show, "u");
    noName.remove("name");
    assertThat(mint(noName).text()).contains("'name'").contains("required");
    Map<String, Object> longName = request("viewer", show, "u");
    longName.put("name", "n".repeat(65));
    assertThat(mint(longName).text()).contains("'name'");
    for (Object ttl : List.of(7201, 9, 0, -5, "60", 60.5)) {
      Map<String, Object> body = request("viewer", show, "u");
      body.put("ttlSeconds", ttl);
      Rest.Response r = mint(body);
      assertThat(r.status()).as("ttl %s", ttl).isEqualTo(400);
      assertThat(r.text()).contains("'ttlSeconds'");
    }
    Map<String, Object> extra = request("viewer", show, "u");
    extra.put("brand", other.brandId());
    assertThat(mint(extra).text()).contains("unknown field 'brand'");
    Map<String, Object> badShow = request("viewer", show, "u");
    badShow.put("show", 12);
    assertThat(mint(badShow).text()).contains("'show'");
  }

  @Test
  void an_expired_token_is_rejected_on_connect_and_on_the_auth_op() throws Exception {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC);
    String expired = new TokenService(TestNode.TOKEN_SECRET, past)
        .mint(new Identity("viewer-old", "Old", Role.VIEWER, brand.brandId(), show, null), Duration.ofHours(1));
    assertRejected(expired, "expired");
  }

  @Test
  void a_forged_token_is_rejected_on_connect_and_on_the_auth_op() throws Exception {
    String forged = new TokenService("not-the-server-secret-0123456789-0123456789", Clock.systemUTC())
        .mint(new Identity("mallory", "Mallory", Role.HOST, brand.brandId(), show, null), Duration.ofHours(1));
    assertRejected(forged, "signature");

    String genuine = mint(request("viewer", show, "v")).json().path("token").asText();
    String[] parts = genuine.split("\\.");
    String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"viewer\"", "\"host\"").getBytes())
        + "." + parts[2];
    assertRejected(tampered, "signature");
  }

  private static void assertRejected(String token, String reason) throws Exception {
    assertThatThrownBy(() -> DropcastClient.connect(node.wsBase(), token).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining(String.valueOf(Protocol.CLOSE_UNAUTHORIZED));
    try (DropcastClient client = node.connect(null)) {
      assertThatThrownBy(() -> client.call("auth", null, Map.of("token", token)))
          .isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(e.getMessage()).contains(reason);
          });
      assertThat(client.closed().isDone()).isFalse();
    }
  }
}
