package io.dropcast.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.TestNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SocketHandshakeTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void server_announces_protocol_version_and_limits_on_connect() {
    try (DropcastClient client = node.connect(null)) {
      JsonNode hello = client.hello();
      assertThat(hello.path("type").asText()).isEqualTo("hello");
      assertThat(hello.path("protocol").asInt()).isEqualTo(Protocol.VERSION);
      assertThat(hello.path("limits").path("maxTextBytes").asInt()).isPositive();
      assertThat(hello.has("user")).isFalse();
    }
  }

  @Test
  void ping_is_answered_before_authentication() {
    try (DropcastClient client = node.connect(null)) {
      assertThat(client.call("ping", null, null).path("time").asLong()).isPositive();
    }
  }

  @Test
  void ops_other_than_auth_ping_and_join_need_authentication() {
    try (DropcastClient client = node.connect(null)) {
      assertThatThrownBy(() -> client.call("chat.send", "shw_x", Map.of("text", "hi")))
          .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
  }

  @Test
  void forged_token_in_url_closes_the_socket_with_4401_before_any_hello() {
    String forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    assertThatThrownBy(() -> DropcastClient.connect(node.wsBase(), forged).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining(String.valueOf(Protocol.CLOSE_UNAUTHORIZED));
  }
}
