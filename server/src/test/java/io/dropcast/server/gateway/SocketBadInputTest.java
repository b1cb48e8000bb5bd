package io.dropcast.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.client.DropcastClient.CloseStatus;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.auth.TokenService;
import io.dropcast.server.testing.TestNode;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every class of bad socket input, over real sockets: each gets its documented error reply or close
 * code, the socket stays open where docs/protocol.md says so, and the node keeps serving new clients.
 */
class SocketBadInputTest {
  /** Small limits so oversized frames are cheap to send. */
  static final int MAX_TEXT = 1024;
  static final int MAX_MEDIA = 4096;

  static TestNode node;
  /** A node with a short auth timeout and a tight rate limit. */
  static TestNode strict;
  static final TokenService TOKENS = new TokenService(TestNode.TOKEN_SECRET, Clock.systemUTC());
  final List<DropcastClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("ws.max-text-bytes", String.valueOf(MAX_TEXT),
        "ws.max-media-bytes", String.valueOf(MAX_MEDIA)));
    strict = TestNode.start(Map.of("ws.auth-timeout-ms", "400",
        "ws.requests-per-second", "1", "ws.request-burst", "5"));
  }

  @AfterAll
  static void stop() {
    node.close();
    strict.close();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(DropcastClient::close);
  }

  static String viewerToken() {
    return TOKENS.mint(new Identity("viewer-1", "Vera", Role.VIEWER, "brd_test", null, null), Duration.ofMinutes(10));
  }

  static String expiredToken() {
    TokenService past = new TokenService(TestNode.TOKEN_SECRET,
        Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC));
    return past.mint(new Identity("viewer-1", "Vera", Role.VIEWER, "brd_test", null, null), Duration.ofHours(1));
  }

  static String forgedToken() {
    TokenService other = new TokenService("another-secret-0123456789-0123456789-xyz", Clock.systemUTC());
    return other.mint(new Identity("viewer-1", "Vera", Role.VIEWER, "brd_test", null, null), Duration.ofMinutes(10));
  }

  DropcastClient connect(TestNode target, String token) {
    DropcastClient client = target.connect(token);
    clients.add(client);
    return client;
  }

  /** @return the next reply that did not match a request sent with {@code call} (raw frames) */
  static JsonNode nextRawReply(DropcastClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      JsonNode message = client.pollEvent(100, TimeUnit.MILLISECONDS);
      if (message != null && "reply".equals(message.path("type").asText())) {
        return message;
      }
    }
    throw new AssertionError("no reply within 5 s");
  }

  static void assertError(JsonNode reply, String id, ErrorCode code, String messagePart) {
    assertThat(reply.path("ok").asBoolean(true)).as("ok").isFalse();
    if (id == null) {
      assertThat(reply.get("id")).as("reply id").isNotNull();
      assertThat(reply.get("id").isNull()).as("reply id is null: " + reply).isTrue();
    } else {
      assertThat(reply.path("id").asText()).isEqualTo(id);
    }
    assertThat(reply.path("error").path("code").asText()).as(reply.toString()).isEqualTo(code.name());
    assertThat(reply.path("error").path("message").asText()).contains(messagePart);
    assertThat(reply.has("data")).isFalse();
  }

  static void assertStillOpen(DropcastClient client) {
    assertThat(client.call("ping", null, null).path("time").asLong()).isPositive();
    assertThat(client.closed()).isNotDone();
  }

  static void assertNodeServesNewClients(TestNode target) {
    try (DropcastClient fresh = target.connect(null)) {
      assertThat(fresh.call("ping", null, null).path("time").asLong()).isPositive();
    }
  }

  static CloseStatus awaitClose(DropcastClient client) throws Exception {
    return client.closed().get(10, TimeUnit.SECONDS);
  }

  @Test
  void malformed_json_gets_bad_request_with_null_id_and_the_socket_stays_open() throws Exception {
    DropcastClient client = connect(node, null);
    client.sendText("{\"id\":\"r1\",\"op\":");
    assertError(nextRawReply(client), null, ErrorCode.BAD_REQUEST, "malformed JSON");
    assertStillOpen(client);
  }

  @Test
  void json_that_is_not_an_object_gets_bad_request() throws Exception {
    DropcastClient client = connect(node, null);
    for (String text : List.of("[1,2,3]", "\"ping\"", "42", "null")) {
      client.sendText(text);
      assertError(nextRawReply(client), null, ErrorCode.BAD_REQUEST, "must be a JSON object");
    }
    assertStillOpen(client);
  }

  @Test
  void missing_empty_non_string_or_too_long_id_gets_bad_request_with_null_id() throws Exception {
    DropcastClient client = connect(node, null);
    String tooLong = "x".repeat(65);
    for (String text : List.of("{\"op\":\"ping\"}", "{\"id\":\"\",\"op\":\"ping\"}", "{\"id\":7,\"op\":\"ping\"}",
        "{\"id\":\"" + tooLong + "\",\"op\":\"ping\"}")) {
      client.sendText(text);
      assertError(nextRawReply(client), null, ErrorCode.BAD_REQUEST, "'id'");
    }
    client.sendText("{\"id\":\"" + "y".repeat(64) + "\",\"op\":\"ping\"}");
    JsonNode ok = nextRawReply(client);
    assertThat(ok.path("ok").asBoolean()).as("a 64-character id is valid").isTrue();
    assertThat(ok.path("id").asText()).hasSize(64);
  }

  @Test
  void missing_op_is_answered_to_the_request_id() throws Exception {
    DropcastClient client = connect(node, null);
    client.sendText("{\"id\":\"r-no-op\"}");
    assertError(nextRawReply(client), "r-no-op", ErrorCode.BAD_REQUEST, "'op'");
    client.sendText("{\"id\":\"r-num-op\",\"op\":3}");
    assertError(nextRawReply(client), "r-num-op", ErrorCode.BAD_REQUEST, "'op'");
    assertStillOpen(client);
  }

  @Test
  void data_or_show_of_the_wrong_type_gets_bad_request() throws Exception {
    DropcastClient client = connect(node, null);
    client.sendText("{\"id\":\"d1\",\"op\":\"ping\",\"data\":[1]}");
    assertError(nextRawReply(client), "d1", ErrorCode.BAD_REQUEST, "'data' must be an object");
    client.sendText("{\"id\":\"d2\",\"op\":\"ping\",\"data\":\"x\"}");
    assertError(nextRawReply(client), "d2", ErrorCode.BAD_REQUEST, "'data' must be an object");
    client.sendText("{\"id\":\"s1\",\"op\":\"ping\",\"show\":5}");
    assertError(nextRawReply(client), "s1", ErrorCode.BAD_REQUEST, "'show' must be a string");
    assertStillOpen(client);
  }

  @Test
  void unknown_op_after_auth_gets_bad_request_naming_the_op() {
    DropcastClient client = connect(node, viewerToken());
    assertThatThrownBy(() -> client.call("teleport", null, Map.of()))
        .isInstanceOfSatisfying(ProtocolException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
          assertThat(e.getMessage()).contains("unknown op 'teleport'");
        });
    assertStillOpen(client);
  }

  @Test
  void any_op_but_auth_and_ping_before_auth_gets_unauthorized() {
    DropcastClient client = connect(node, null);
    for (String op : List.of("teleport", "chat.send", "product.pin")) {
      assertThatThrownBy(() -> client.call(op, "shw_x", Map.of()))
          .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
    assertStillOpen(client);
  }

  @Test
  void text_frame_over_the_text_limit_gets_too_large_and_the_socket_stays_open() throws Exception {
    DropcastClient client = connect(node, null);
    String big = "{\"id\":\"big\",\"op\":\"ping\",\"data\":{\"pad\":\"" + "a".repeat(MAX_TEXT) + "\"}}";
    client.sendText(big);
    assertError(nextRawReply(client), null, ErrorCode.TOO_LARGE, String.valueOf(MAX_TEXT));
    // multi-byte characters count as their UTF-8 bytes, not as chars
    String wide = "{\"id\":\"wide\",\"op\":\"ping\",\"data\":{\"pad\":\"" + "é".repeat(MAX_TEXT / 2) + "\"}}";
    assertThat(wide.length()).isLessThan(MAX_TEXT);
    client.sendText(wide);
    assertError(nextRawReply(client), null, ErrorCode.TOO_LARGE, String.valueOf(MAX_TEXT));
    assertStillOpen(client);
  }

  @Test
  void binary_frame_under_the_media_limit_never_closes_the_socket() throws Exception {
    DropcastClient client = connect(node, null);
    client.sendBinary(new byte[] {9, 9, 9});
    JsonNode reply = nextRawReply(client);
    assertThat(reply.get("id").isNull()).isTrue();
    assertThat(reply.path("ok").asBoolean(true)).isFalse();
    assertThat(reply.path("error").path("code").asText()).isNotEmpty();
    assertStillOpen(client);
  }

  @Test
  void binary_frame_over_the_transport_limit_closes_the_socket_with_1009() throws Exception {
    for (int size : List.of(MAX_MEDIA + 1, 300_000)) {
      DropcastClient client = connect(node, viewerToken());
      client.sendBinary(new byte[size]);
      CloseStatus status = awaitClose(client);
      assertThat(status.code()).as("close code for a %d-byte frame", size).isEqualTo(Protocol.CLOSE_TOO_BIG);
      assertThat(status.reason()).contains(String.valueOf(MAX_MEDIA));
    }
    assertNodeServesNewClients(node);
  }

  @Test
  void text_frame_over_the_transport_limit_closes_the_socket_with_1009() throws Exception {
    DropcastClient client = connect(node, viewerToken());
    client.sendText("{\"id\":\"huge\",\"op\":\"ping\",\"data\":{\"pad\":\"" + "a".repeat(MAX_MEDIA) + "\"}}");
    assertThat(awaitClose(client).code()).isEqualTo(Protocol.CLOSE_TOO_BIG);
    assertNodeServesNewClients(node);
  }

  @Test
  void fragmented_message_over_the_transport_limit_closes_the_socket_with_1009() throws Exception {
    try (Socket raw = RawSocket.open(node.port())) {
      RawSocket.sendFrame(raw, false, 0x2, new byte[MAX_MEDIA - 1000]);
      RawSocket.sendFrame(raw, true, 0x0, new byte[MAX_MEDIA - 1000]);
      int[] close = RawSocket.readUntilClose(raw);
      assertThat(close[0]).isEqualTo(Protocol.CLOSE_TOO_BIG);
    }
    assertNodeServesNewClients(node);
  }

  @Test
  void fragmented_text_message_under_the_transport_limit_is_reassembled() throws Exception {
    try (Socket raw = RawSocket.open(node.port())) {
      RawSocket.sendFrame(raw, false, 0x1, "{\"id\":\"frag\",".getBytes(StandardCharsets.UTF_8));
      RawSocket.sendFrame(raw, true, 0x0, "\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      String reply = RawSocket.readText(raw, "\"frag\"");
      assertThat(reply).contains("\"ok\":true");
    }
  }

  @Test
  void requests_beyond_the_burst_get_rate_limited_and_each_still_gets_one_reply() throws Exception {
    DropcastClient client = connect(strict, viewerToken());
    long started = System.nanoTime();
    List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      replies.add(client.request("ping", null, null));
    }
    int ok = 0;
    int limited = 0;
    for (CompletableFuture<JsonNode> reply : replies) {
      try {
        reply.get(5, TimeUnit.SECONDS);
        ok++;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOfSatisfying(ProtocolException.class, pe -> {
          assertThat(pe.code()).isEqualTo(ErrorCode.RATE_LIMITED);
          assertThat(pe.getMessage()).contains("per second");
        });
        limited++;
      }
    }
    long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertThat(ok + limited).isEqualTo(12);
    assertThat(ok).isBetween(5, 5 + (int) elapsedSeconds + 1);
    assertThat(limited).isPositive();
    assertThat(client.closed()).isNotDone();
  }

  @Test
  void malformed_frames_count_against_the_rate_limit() throws Exception {
    DropcastClient client = connect(strict, viewerToken());
    for (int i = 0; i < 5; i++) {
      client.sendText("not json");
      assertError(nextRawReply(client), null, ErrorCode.BAD_REQUEST, "malformed JSON");
    }
    assertThatThrownBy(() -> client.call("ping", null, null))
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
  }

  @Test
  void expired_token_in_the_url_closes_with_4401() {
    assertThatThrownBy(() -> DropcastClient.connect(node.wsBase(), expiredToken()).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining(String.valueOf(Protocol.CLOSE_UNAUTHORIZED))
        .hasMessageContaining("expired");
    assertNodeServesNewClients(node);
  }

  @Test
  void forged_token_in_the_url_closes_with_4401() {
    assertThatThrownBy(() -> DropcastClient.connect(node.wsBase(), forgedToken()).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining(String.valueOf(Protocol.CLOSE_UNAUTHORIZED))
        .hasMessageContaining("signature");
  }

  @Test
  void expired_or_forged_token_via_auth_gets_unauthorized_and_the_socket_stays_open() {
    DropcastClient client = connect(node, null);
    for (String token : List.of(expiredToken(), forgedToken(), "not-a-jwt")) {
      assertThatThrownBy(() -> client.call("auth", null, Map.of("token", token)))
          .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
    assertThatThrownBy(() -> client.call("auth", null, Map.of("token", 12)))
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertStillOpen(client);
    JsonNode user = client.call("auth", null, Map.of("token", viewerToken()));
    assertThat(user.path("userId").asText()).isEqualTo("viewer-1");
    assertThat(user.path("role").asText()).isEqualTo("viewer");
  }

  @Test
  void auth_as_another_user_on_an_authenticated_socket_gets_conflict() {
    DropcastClient client = connect(node, viewerToken());
    String other = TOKENS.mint(new Identity("viewer-2", "Otto", Role.VIEWER, "brd_test", null, null), Duration.ofMinutes(5));
    assertThatThrownBy(() -> client.call("auth", null, Map.of("token", other)))
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    assertThat(client.call("auth", null, Map.of("token", viewerToken())).path("userId").asText())
        .as("the same user may refresh their token").isEqualTo("viewer-1");
  }

  @Test
  void a_socket_that_does_not_authenticate_in_time_is_closed_with_4401() throws Exception {
    DropcastClient client = connect(strict, null);
    CloseStatus status = awaitClose(client);
    assertThat(status.code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
    assertThat(status.reason()).contains("not authenticated in time");
    assertNodeServesNewClientsAuthenticated(strict);
  }

  @Test
  void a_socket_that_authenticates_in_time_stays_open_past_the_auth_timeout() throws Exception {
    DropcastClient client = connect(strict, null);
    client.call("auth", null, Map.of("token", viewerToken()));
    Thread.sleep(800);
    assertThat(client.closed()).isNotDone();
    assertThat(client.call("ping", null, null).path("time").asLong()).isPositive();
  }

  static void assertNodeServesNewClientsAuthenticated(TestNode target) {
    try (DropcastClient fresh = target.connect(viewerToken())) {
      assertThat(fresh.call("ping", null, null).path("time").asLong()).isPositive();
    }
  }
}
