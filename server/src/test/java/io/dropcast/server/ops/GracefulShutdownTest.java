package io.dropcast.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.client.DropcastClient.CloseStatus;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: not ready, no new sockets, every socket closed with 1001. */
class GracefulShutdownTest {

  @Test
  void connected_clients_receive_1001_when_the_node_shuts_down() throws Exception {
    TestNode node = TestNode.start();
    DropcastClient first = node.connect(null);
    DropcastClient second = node.connect(null);
    node.close();
    for (DropcastClient client : new DropcastClient[] {first, second}) {
      CloseStatus status = client.closed().get(10, TimeUnit.SECONDS);
      assertThat(status.code()).isEqualTo(Protocol.CLOSE_GOING_AWAY);
      assertThat(status.reason()).contains("shutting down");
    }
  }

  @Test
  void during_shutdown_ready_turns_503_and_new_sockets_are_refused() throws Exception {
    TestNode node = TestNode.start(Map.of("shutdown.grace-ms", "3000"));
    Rest rest = node.rest();
    assertThat(rest.get("/ready", null).status()).isEqualTo(200);
    // A raw socket that never answers the close handshake keeps the node draining for its whole
    // grace period: long enough to observe the shutdown state from outside.
    try (Socket stuck = openRawWebSocket(node.port())) {
      CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      Rest.Response ready = rest.get("/ready", null);
      while (ready.status() != 503 && System.nanoTime() < deadline) {
        Thread.sleep(20);
        ready = rest.get("/ready", null);
      }
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().path("reason").asText()).contains("shutting down");
      assertThat(rest.get("/health", null).status()).as("still alive while draining").isEqualTo(200);
      assertThatThrownBy(() -> DropcastClient.connect(node.wsBase(), null).get(5, TimeUnit.SECONDS))
          .as("upgrade refused while shutting down").rootCause().hasMessageContaining("503");

      assertThat(readCloseCode(stuck)).isEqualTo(Protocol.CLOSE_GOING_AWAY);
      closing.get(20, TimeUnit.SECONDS);
    }
  }

  /** Opens a WebSocket on /ws with a plain TCP socket and reads the 101 response. */
  private static Socket openRawWebSocket(int port) throws Exception {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    DataInputStream in = new DataInputStream(socket.getInputStream());
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    return socket;
  }

  /** Skips server frames (the hello) until a close frame and returns its status code. */
  private static int readCloseCode(Socket socket) throws Exception {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    while (true) {
      int opcode = in.readUnsignedByte() & 0x0F;
      long length = in.readUnsignedByte() & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      if (opcode == 0x8) {
        return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
      }
    }
  }
}
