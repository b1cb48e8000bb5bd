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
  /** Sends refused (binary) frames until {@code stop} is set or the server cuts the connection. */
  private static void sendRefusedFrames(Socket socket, java.util.concurrent.atomic.AtomicBoolean stop) {
    byte[] frame = new byte[16];
    frame[0] = 1;
    try {
      while (!stop.get()) {
        RawSocket.sendFrame(socket, true, 2, frame);
      }
    } catch (IOException e) {
      // the server cut the connection: what the tests below check
    }
  }

  private static int openConnections() {
    return node.rest().get("/ready", null).json().path("connections").asInt();
  }

  /** @return the node's count of sockets closed because their replies piled up */
  private static double replyOverflows() {
    for (String line : node.rest().get("/metrics", null).text().split("\n")) {
      if (line.startsWith("dropcast_ws_reply_overflows_total")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no dropcast_ws_reply_overflows_total in /metrics");
  }

  @Test
  void a_client_that_sends_without_reading_is_closed_with_4408_once_its_replies_pile_up() throws Exception {
    double before = replyOverflows();
    try (Socket socket = RawSocket.open(node.port(), 4096)) {
      // Keep sending until the server acts: how many frames it takes to fill the kernel's buffers
      // (several MB on loopback) depends on the machine's load, not on the rule under test.
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread sender = new Thread(() -> sendRefusedFrames(socket, stop), "refused-frames");
      sender.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (replyOverflows() == before && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      stop.set(true);
      assertThat(replyOverflows()).as("sockets closed for unread replies").isEqualTo(before + 1);
      // Read now (with a larger window), within the close grace: the replies queued up to the cap
      // arrive, then the 4408 close frame.
      socket.setReceiveBufferSize(1 << 20);
      assertThat(RawSocket.readUntilClose(socket)[0]).isEqualTo(Protocol.CLOSE_TOO_SLOW);
      socket.close();
      sender.join(10_000);
    }
  }

  @Test
  void a_client_that_never_reads_is_disconnected_although_it_never_reads_the_close_frame() throws Exception {
    try (Socket socket = RawSocket.open(node.port(), 4096)) {
      double before = replyOverflows();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread sender = new Thread(() -> sendRefusedFrames(socket, stop), "refused-frames");
      sender.start();
      long overflowDeadline = System.currentTimeMillis() + 60_000;
      while (replyOverflows() == before && System.currentTimeMillis() < overflowDeadline) {
        Thread.sleep(20);
      }
      stop.set(true);
      assertThat(replyOverflows()).as("sockets closed for unread replies").isEqualTo(before + 1);
      long deadline = System.currentTimeMillis() + ClientConnection.CLOSE_GRACE_MS + 5_000;
      while (openConnections() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(openConnections()).as("connections the server still holds").isZero();
      sender.join(10_000);
    }
  }
}
