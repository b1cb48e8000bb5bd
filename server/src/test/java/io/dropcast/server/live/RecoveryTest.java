package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RecoveryTest {
  static final int HISTORY = 8;
  static TestNode node;
  static ShowFixture acme;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("live.history-size", String.valueOf(HISTORY), "chat.rate-burst", "100",
        "live.coalesce-ms", "50"));
    acme = ShowFixture.brand(node, "Acme");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Waits until the client has seen every event up to {@code seq}. */
  static void awaitSeq(DropcastClient c, String show, long seq) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (c.lastSeq(show) < seq && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(c.lastSeq(show)).isGreaterThanOrEqualTo(seq);
  }

  @Test
  void rejoin_with_the_last_seq_receives_exactly_the_missed_events_in_order() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show)) {
      DropcastClient viewer = acme.joined(acme.viewerToken(show, "v"), show);
      host.call("chat.send", show.id(), Map.of("text", "before"));
      long seenSeq = host.call("show.stats", show.id(), null).path("seq").asLong();
      awaitSeq(viewer, show.id(), seenSeq);
      long lastSeq = viewer.lastSeq(show.id());
      viewer.close();

      host.call("chat.send", show.id(), Map.of("text", "missed 1"));
      host.call("chat.send", show.id(), Map.of("text", "missed 2"));
      host.call("react", show.id(), Map.of("kind", "like"));

      try (DropcastClient back = node.connect(acme.viewerToken(show, "v"))) {
        JsonNode reply = back.rejoin(show.id(), lastSeq);
        assertThat(reply.path("recovered").asBoolean()).isTrue();
        long replySeq = reply.path("seq").asLong();
        assertThat(reply.path("missed").asLong()).isEqualTo(replySeq - lastSeq);
        List<JsonNode> replayed = new ArrayList<>();
        while (replayed.size() < replySeq - lastSeq) {
          JsonNode e = back.pollEvent(5, TimeUnit.SECONDS);
          assertThat(e).as("missed event").isNotNull();
          replayed.add(e);
        }
        for (int i = 0; i < replayed.size(); i++) {
          assertThat(replayed.get(i).path("seq").asLong()).isEqualTo(lastSeq + 1 + i);
        }
        assertThat(replayed).filteredOn(e -> Events.CHAT_MESSAGE.equals(e.path("event").asText()))
            .extracting(e -> e.path("data").path("text").asText()).containsExactly("missed 1", "missed 2");
        JsonNode after = back.pollEvent(500, TimeUnit.MILLISECONDS);
        if (after != null) {
          assertThat(after.path("seq").asLong()).as("nothing replayed twice").isGreaterThan(replySeq);
        }
      }
    }
  }

  @Test
  void a_gap_older_than_the_history_gives_a_fresh_snapshot() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show)) {
      DropcastClient viewer = acme.joined(acme.viewerToken(show, "v"), show);
      long lastSeq = viewer.lastSeq(show.id());
      viewer.close();
      for (int i = 0; i < HISTORY + 2; i++) {
        host.call("chat.send", show.id(), Map.of("text", "while away " + i));
      }
      try (DropcastClient back = node.connect(acme.viewerToken(show, "v"))) {
        JsonNode reply = back.rejoin(show.id(), lastSeq);
        assertThat(reply.path("recovered").asBoolean()).isFalse();
        assertThat(reply.path("seq").asLong()).isGreaterThan(lastSeq + HISTORY);
        assertThat(reply.path("chat").path("messages").findValuesAsText("text")).contains("while away " + (HISTORY + 1));
        assertThat(reply.path("show").path("id").asText()).isEqualTo(show.id());
        JsonNode rejoinFuture = back.rejoin(show.id(), reply.path("seq").asLong() + 1000);
        assertThat(rejoinFuture.path("recovered").asBoolean()).as("a seq from the future is not trusted").isFalse();
        assertThat(errorOf(() -> back.rejoin(show.id(), -1))).isEqualTo(ErrorCode.BAD_REQUEST);
      }
    }
  }
}
