package io.dropcast.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.client.DropcastClient.CloseStatus;
import io.dropcast.server.gateway.RawSocket;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.net.Socket;
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
    try (Socket stuck = RawSocket.open(node.port())) {
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

      assertThat(RawSocket.readUntilClose(stuck)[0]).isEqualTo(Protocol.CLOSE_GOING_AWAY);
      closing.get(20, TimeUnit.SECONDS);
    }
  }
}
