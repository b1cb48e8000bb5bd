package io.dropcast.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.TestNode;
import io.netty.channel.Channel;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket protocol the gateway speaks itself once it has taken the channel over from Vert.x
 * ({@link SocketHandler}): ping/pong, both directions of the close handshake, fragmented binary
 * messages, and that no Vert.x handler is left in an upgraded socket's pipeline. Raw TCP sockets.
 */
class SocketFramesTest {
  static TestNode node;
  /** Closes unauthenticated sockets after 300 ms, to see a server-initiated close. */
  static TestNode strict;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("ws.max-media-bytes", "4096"));
    strict = TestNode.start(Map.of("ws.auth-timeout-ms", "300"));
  }

  @AfterAll
  static void stop() {
    node.close();
    strict.close();
  }

  /** @return {opcode, payload} of the next frame, or null when the server closed TCP */
  static Object[] nextFrame(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int first = in.read();
    if (first < 0) {
      return null;
    }
    int length = in.readUnsignedByte() & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = (int) in.readLong();
    }
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Object[] {first & 0x0F, payload};
  }

  /** Reads frames until one with {@code opcode}; @return its payload */
  static byte[] awaitFrame(Socket socket, int opcode) throws IOException {
    while (true) {
      Object[] frame = nextFrame(socket);
      assertThat(frame).as("the server closed TCP before sending opcode " + opcode).isNotNull();
      if ((int) frame[0] == opcode) {
        return (byte[]) frame[1];
      }
    }
  }

  /** @return milliseconds until the server closes TCP (after discarding any frames) */
  static long millisUntilEof(Socket socket) throws IOException {
    long start = System.nanoTime();
    try {
      while (nextFrame(socket) != null) {
        // skip
      }
    } catch (java.net.SocketException e) {
      // a reset also ends the connection
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  static byte[] closePayload(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + text.length];
    payload[0] = (byte) (code >>> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, text.length);
    return payload;
  }

  static int openConnections(TestNode target) {
    return target.rest().get("/ready", null).json().path("connections").asInt();
  }

  static void awaitConnections(TestNode target, int expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (openConnections(target) != expected && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(openConnections(target)).isEqualTo(expected);
  }

  @Test
  void a_ping_is_answered_with_a_pong_carrying_its_payload_and_the_socket_stays_open() throws Exception {
    try (Socket raw = RawSocket.open(node.port())) {
      byte[] payload = "are you there?".getBytes(StandardCharsets.UTF_8);
      RawSocket.sendFrame(raw, true, 0x9, payload);
      assertThat(awaitFrame(raw, 0xA)).isEqualTo(payload);
      RawSocket.sendFrame(raw, true, 0xA, new byte[] {1}); // an unsolicited pong is ignored
      RawSocket.sendFrame(raw, true, 0x1, "{\"id\":\"p\",\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(RawSocket.readText(raw, "\"p\"")).contains("\"ok\":true");
    }
  }

  @Test
  void a_client_close_is_echoed_with_its_code_and_the_server_then_closes_tcp() throws Exception {
    int before = openConnections(node);
    try (Socket raw = RawSocket.open(node.port())) {
      awaitConnections(node, before + 1);
      RawSocket.sendFrame(raw, true, 0x8, closePayload(1000, "bye"));
      byte[] echo = awaitFrame(raw, 0x8);
      assertThat(((echo[0] & 0xFF) << 8) | (echo[1] & 0xFF)).isEqualTo(1000);
      assertThat(millisUntilEof(raw)).as("ms until the server closed TCP").isLessThan(2_000);
    }
    awaitConnections(node, before);
  }

  @Test
  void a_server_close_answered_by_the_client_closes_tcp_at_once_not_after_the_grace() throws Exception {
    try (Socket raw = RawSocket.open(strict.port())) {
      byte[] close = awaitFrame(raw, 0x8);
      assertThat(((close[0] & 0xFF) << 8) | (close[1] & 0xFF)).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
      assertThat(new String(close, 2, close.length - 2, StandardCharsets.UTF_8)).contains("not authenticated in time");
      RawSocket.sendFrame(raw, true, 0x8, closePayload(Protocol.CLOSE_UNAUTHORIZED, ""));
      assertThat(millisUntilEof(raw)).as("ms until the server closed TCP")
          .isLessThan(ClientConnection.CLOSE_GRACE_MS / 2);
    }
  }

  @Test
  void a_fragmented_binary_message_under_the_limit_is_reassembled_and_handled() throws Exception {
    try (Socket raw = RawSocket.open(node.port())) {
      RawSocket.sendFrame(raw, false, 0x2, new byte[1000]);
      RawSocket.sendFrame(raw, false, 0x0, new byte[1000]);
      RawSocket.sendFrame(raw, true, 0x0, new byte[1000]);
      // One media message from a client that has not joined as a host: one FORBIDDEN reply.
      String reply = RawSocket.readText(raw, "\"reply\"");
      assertThat(reply).contains("FORBIDDEN").contains("\"id\":null");
      RawSocket.sendFrame(raw, true, 0x1, "{\"id\":\"after\",\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(RawSocket.readText(raw, "\"after\"")).contains("\"ok\":true");
    }
  }

  @Test
  void an_upgraded_socket_has_no_vertx_handler_left_in_its_pipeline() throws Exception {
    try (DropcastClient client = node.connect(null)) {
      client.call("ping", null, null);
      List<ClientConnection> open = new ArrayList<>(node.server().gateway().connections());
      assertThat(open).isNotEmpty();
      for (ClientConnection c : open) {
        Channel channel = c.nettyChannel();
        CompletableFuture<List<String>> handlers = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
          List<String> names = new ArrayList<>();
          channel.pipeline().forEach(e -> names.add(e.getKey() + "=" + e.getValue().getClass().getName()));
          handlers.complete(names);
        });
        List<String> names = handlers.get(5, TimeUnit.SECONDS);
        assertThat(names).as("pipeline").noneMatch(n -> n.contains("=io.vertx."));
        assertThat(names.get(names.size() - 1)).startsWith("dropcast-socket=");
      }
    }
  }

  @Test
  void vertx_connection_gauges_do_not_grow_with_sockets_that_came_and_went() throws Exception {
    double before = metric(node, "vertx_http_server_active_connections");
    for (int i = 0; i < 5; i++) {
      try (DropcastClient client = node.connect(null)) {
        client.call("ping", null, null);
      }
    }
    long deadline = System.currentTimeMillis() + 5_000;
    while (metric(node, "vertx_http_server_active_connections") > before && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(metric(node, "vertx_http_server_active_connections")).isLessThanOrEqualTo(before);
    assertThat(metric(node, "vertx_http_server_active_ws_connections")).isZero();
  }

  /** @return the sum of a metric's samples in /metrics (0 when absent) */
  static double metric(TestNode target, String name) {
    double sum = 0;
    for (String line : target.rest().get("/metrics", null).text().split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
