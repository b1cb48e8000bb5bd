package io.dropcast.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.Protocol;
import io.dropcast.server.testing.TestNode;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that keeps sending but does not read its replies must not make the server queue without
 * bound: every refused binary frame (they take no rate-limit token) and every rate-limited request is
 * answered, so the replies pile up on the server unless the connection is cut. Raw TCP sockets with
 * a tiny receive buffer, against a node with small write limits.
 */
class UnreadRepliesTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("ws.write-queue-bytes", "8192", "live.max-queued-bytes", "65536"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Sends media frames an unauthenticated client may not send: each one is answered FORBIDDEN. */
  private static void sendRefusedFrames(Socket socket, int frames) {
    byte[] frame = new byte[16];
    frame[0] = 1;
    try {
      for (int i = 0; i < frames; i++) {
        RawSocket.sendFrame(socket, true, 2, frame);
      }
    } catch (IOException e) {
      // the server cut the connection: what the tests below check
    }
  }

  private static int openConnections() {
    return node.rest().get("/ready", null).json().path("connections").asInt();
  }

  @Test
  void a_client_that_sends_without_reading_is_closed_with_4408_once_its_replies_pile_up() throws Exception {
    try (Socket socket = RawSocket.open(node.port(), 4096)) {
      sendRefusedFrames(socket, 60_000);
      // Now read, fast (a larger window), before the server drops the connection: the replies queued
      // up to the cap arrive, then the 4408 close frame.
      socket.setReceiveBufferSize(1 << 20);
      assertThat(RawSocket.readUntilClose(socket)[0]).isEqualTo(Protocol.CLOSE_TOO_SLOW);
    }
  }

  @Test
  void a_client_that_never_reads_is_disconnected_although_it_never_reads_the_close_frame() throws Exception {
    try (Socket socket = RawSocket.open(node.port(), 4096)) {
      sendRefusedFrames(socket, 60_000);
      long deadline = System.currentTimeMillis() + ClientConnection.CLOSE_GRACE_MS + 7_000;
      while (openConnections() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(openConnections()).as("connections the server still holds").isZero();
    }
  }
}
