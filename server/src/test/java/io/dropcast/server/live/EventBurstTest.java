package io.dropcast.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A burst of show events (the host sends chat messages without waiting for replies, so the server
 * fans several out together): every viewer gets every event once, in seq order with no gap, its own
 * reply in the middle of the burst arrives, and a viewer who joins during the burst gets exactly the
 * events after its snapshot.
 */
class EventBurstTest {
  static final int MESSAGES = 60;
  static TestNode node;
  static ShowFixture acme;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("chat.rate-per-second", "1000", "chat.rate-burst", "1000",
        "ws.requests-per-second", "1000", "ws.request-burst", "1000", "chat.history-size", "100"));
    acme = ShowFixture.brand(node, "Acme");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void a_burst_of_chat_reaches_every_viewer_once_in_order_and_a_joiner_mid_burst_misses_nothing() throws Exception {
    Show show = acme.show(false);
    List<DropcastClient> viewers = new ArrayList<>();
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient late = node.connect(acme.viewerToken(show, "late"))) {
      for (int i = 0; i < 6; i++) {
        viewers.add(acme.joined(acme.viewerToken(show, "v" + i), show));
      }
      List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
      CompletableFuture<JsonNode> lateJoin = null;
      CompletableFuture<JsonNode> ping = null;
      for (int i = 0; i < MESSAGES; i++) {
        sent.add(host.request("chat.send", show.id(), Map.of("text", "m" + i)));
        if (i == 20) {
          lateJoin = late.request("join", show.id(), null);
        }
        if (i == 30) {
          ping = viewers.get(0).request("ping", null, null);
        }
      }
      for (CompletableFuture<JsonNode> reply : sent) {
        reply.get(10, TimeUnit.SECONDS);
      }
      assertThat(ping.get(10, TimeUnit.SECONDS).path("time").asLong()).isPositive();

      for (DropcastClient viewer : viewers) {
        assertThat(chatAfter(viewer, -1)).isEqualTo(texts(0));
      }
      JsonNode snapshot = lateJoin.get(10, TimeUnit.SECONDS);
      List<String> seen = new ArrayList<>();
      snapshot.path("chat").path("messages").forEach(m -> seen.add(m.path("text").asText()));
      if (seen.contains("m" + (MESSAGES - 1))) {
        // The join reached the room after the whole burst (a busy machine): the snapshot holds it all.
        assertThat(late.awaitEvent(Events.CHAT_MESSAGE, 300, TimeUnit.MILLISECONDS)).as("no chat after the snapshot").isNull();
      } else {
        seen.addAll(chatAfter(late, snapshot.path("seq").asLong()));
      }
      assertThat(seen).as("snapshot + events after it").isEqualTo(texts(0));
    }  finally {
      viewers.forEach(DropcastClient::close);
    }
  }

  /** @return m{from}, m{from+1}, … up to the last message */
  private static List<String> texts(int from) {
    List<String> texts = new ArrayList<>();
    for (int i = from; i < MESSAGES; i++) {
      texts.add("m" + i);
    }
    return texts;
  }

  /**
   * Reads a viewer's events up to the last chat message, checking that sequenced events arrive with
   * no gap or repeat (the first one right after {@code seqBefore} when it is known, i.e. not -1).
   *
   * @return the texts of the chat messages among them
   */
  private static List<String> chatAfter(DropcastClient viewer, long seqBefore) throws InterruptedException {
    List<String> texts = new ArrayList<>();
    long last = seqBefore;
    while (!texts.contains("m" + (MESSAGES - 1))) {
      JsonNode event = viewer.pollEvent(10, TimeUnit.SECONDS);
      assertThat(event).as("events after " + texts).isNotNull();
      long seq = event.path("seq").asLong();
      if (seq == 0) {
        continue; // unsequenced (addressed to this viewer alone)
      }
      if (last >= 0) {
        assertThat(seq).as("seq after %d", last).isEqualTo(last + 1);
      }
      last = seq;
      if (Events.CHAT_MESSAGE.equals(event.path("event").asText())) {
        texts.add(event.path("data").path("text").asText());
      }
    }
    assertThat(viewer.awaitEvent(Events.CHAT_MESSAGE, 300, TimeUnit.MILLISECONDS)).as("no chat after the last").isNull();
    return texts;
  }
}
