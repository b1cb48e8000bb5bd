package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.media.MediaFrame;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes on different ports sharing one Redis, as behind a load balancer without sticky
 * sessions: whatever happens on one node reaches the show's viewers on the other, in one sequence,
 * and a viewer can move between nodes and recover. Run on a standalone redis-server
 * ({@link CrossNodeShowIT}) and on a 3-master Redis Cluster ({@link CrossNodeShowOnClusterIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CrossNodeShowScenarios {
  TestNode a;
  TestNode b;
  ShowFixture acme;

  /** @return the Redis settings of both nodes ({@code store}, {@code redis.url}, {@code redis.mode}) */
  abstract Map<String, String> redisSettings();

  Map<String, String> settings() {
    Map<String, String> settings = new java.util.HashMap<>(redisSettings());
    settings.putAll(Map.of("live.coalesce-ms", "50", "sale.tick-ms", "200"));
    return settings;
  }

  @BeforeAll
  void start() {
    a = TestNode.start(settings());
    b = TestNode.start(settings());
    for (TestNode node : List.of(a, b)) {
      long deadline = System.currentTimeMillis() + 20_000;
      while (node.rest().get("/ready", null).status() != 200 && System.currentTimeMillis() < deadline) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    acme = ShowFixture.brand(a, "Acme");
  }

  @AfterAll
  void stop() {
    b.close();
    a.close();
  }

  /** For failure messages: the event names and seqs of the show's history as Redis holds it. */
  String sharedHistory(String showId) {
    String key = "dc:{show:" + showId + "}:history";
    Map<String, String> redis = redisSettings();
    List<String> messages;
    try {
      if ("cluster".equals(redis.get("redis.mode"))) {
        var client = io.lettuce.core.cluster.RedisClusterClient.create(
            io.dropcast.server.store.redis.RedisConnector.parseUris(redis.get("redis.url")));
        try (var conn = client.connect()) {
          messages = conn.sync().zrange(key, 0, -1);
        } finally {
          client.shutdown();
        }
      } else {
        var client = io.lettuce.core.RedisClient.create(redis.get("redis.url"));
        try (var conn = client.connect()) {
          messages = conn.sync().zrange(key, 0, -1);
        } finally {
          client.shutdown();
        }
      }
    } catch (RuntimeException e) {
      return "(unreadable: " + e + ")";
    }
    List<String> names = new ArrayList<>();
    for (String m : messages) {
      JsonNode event = io.dropcast.protocol.JsonCodec.parse(m.substring(m.lastIndexOf('\n') + 1));
      names.add(event.path("seq").asText() + ":" + event.path("event").asText());
    }
    return names.toString();
  }

  static DropcastClient joinedOn(TestNode node, String token, Show show) {
    DropcastClient client = node.connect(token);
    client.join(show.id());
    return client;
  }

  /** @return the next event named one of {@code names}, skipping others (viewer counts, reactions) */
  static JsonNode nextOf(DropcastClient client, String... names) {
    List<String> wanted = List.of(names);
    return next(client, e -> wanted.contains(e.path("event").asText()), String.join("|", names));
  }

  static MediaFrame video(boolean key, long ts) {
    return new MediaFrame(key ? MediaFrame.Kind.KEY : MediaFrame.Kind.DELTA, 0, MediaFrame.TrackType.VIDEO, ts, 33_333,
        new byte[] {(byte) ts, 1, 2, 3});
  }

  @Test
  void a_viewer_on_node_b_gets_the_hosts_frames_chat_and_pins_from_node_a_in_order() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = joinedOn(a, acme.hostToken(show), show);
         DropcastClient viewer = joinedOn(b, acme.viewerToken(show, "vera"), show)) {
      host.call("show.start", show.id(), Map.of());
      host.call("chat.send", show.id(), Map.of("text", "hello from node A"));
      host.call("product.pin", show.id(), Map.of("productId", acme.products().get(0).id()));

      JsonNode started = nextOf(viewer, Events.SHOW_STATE, Events.CHAT_MESSAGE, Events.PINS);
      JsonNode chat = nextOf(viewer, Events.SHOW_STATE, Events.CHAT_MESSAGE, Events.PINS);
      JsonNode pinned = nextOf(viewer, Events.SHOW_STATE, Events.CHAT_MESSAGE, Events.PINS);
      assertThat(started.path("event").asText()).isEqualTo(Events.SHOW_STATE);
      assertThat(started.path("data").path("state").asText()).isEqualTo("live");
      assertThat(chat.path("event").asText()).isEqualTo(Events.CHAT_MESSAGE);
      assertThat(chat.path("data").path("text").asText()).isEqualTo("hello from node A");
      assertThat(pinned.path("event").asText()).isEqualTo(Events.PINS);
      assertThat(pinned.path("data").path("pins").get(0).path("productId").asText())
          .isEqualTo(acme.products().get(0).id());
      assertThat(List.of(started.path("seq").asLong(), chat.path("seq").asLong(), pinned.path("seq").asLong()))
          .as("one sequence across nodes").isSorted().doesNotHaveDuplicates();

      host.sendMedia(new MediaFrame(MediaFrame.Kind.CONFIG, 0, MediaFrame.TrackType.VIDEO, 0, 0,
          "{\"codec\":\"avc1.42E01E\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(viewer.media().poll(5, TimeUnit.SECONDS).kind()).as("the codec config first").isEqualTo(MediaFrame.Kind.CONFIG);
      host.sendMedia(video(true, 1_000_000));
      for (int i = 1; i <= 5; i++) {
        host.sendMedia(video(false, 1_000_000 + i * 33_333L));
      }
      List<Long> timestamps = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        MediaFrame f = viewer.media().poll(5, TimeUnit.SECONDS);
        assertThat(f).as("frame %d relayed from node A", i).isNotNull();
        timestamps.add(f.timestampMicros());
      }
      assertThat(timestamps).as("frames in the order the host sent them").isSorted().hasSize(6);
      assertThat(timestamps.get(0)).isEqualTo(1_000_000);

      // A late joiner on node B starts at the keyframe and sees the chat and pin made on node A.
      try (DropcastClient late = b.connect(acme.viewerToken(show, "lena"))) {
        JsonNode snapshot = late.join(show.id());
        assertThat(snapshot.path("show").path("state").asText()).isEqualTo("live");
        assertThat(snapshot.path("pins").findValuesAsText("productId")).containsExactly(acme.products().get(0).id());
        assertThat(snapshot.path("chat").path("messages").findValuesAsText("text")).contains("hello from node A");
        assertThat(late.media().poll(5, TimeUnit.SECONDS).kind()).isEqualTo(MediaFrame.Kind.CONFIG);
        MediaFrame first = late.media().poll(5, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.kind()).isEqualTo(MediaFrame.Kind.KEY);
        assertThat(first.timestampMicros()).isEqualTo(1_000_000);
      }
    }
  }

  @Test
  void a_node_that_opens_the_show_mid_stream_has_the_hosts_codec_config_for_its_first_viewer() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = joinedOn(a, acme.hostToken(show), show)) {
      host.call("show.start", show.id(), Map.of());
      host.sendMedia(new MediaFrame(MediaFrame.Kind.CONFIG, 0, MediaFrame.TrackType.VIDEO, 0, 0,
          "{\"codec\":\"vp8\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      host.call("show.stats", show.id(), Map.of()); // the config was taken in before this reply
      try (DropcastClient first = joinedOn(b, acme.viewerToken(show, "first-on-b"), show)) {
        MediaFrame config = first.media().poll(5, TimeUnit.SECONDS);
        assertThat(config).as("codec config from the shared store").isNotNull();
        assertThat(config.kind()).isEqualTo(MediaFrame.Kind.CONFIG);
        assertThat(new String(config.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("vp8");
      }
    }
  }

  @Test
  void a_viewer_moved_from_node_a_to_node_b_recovers_with_its_last_sequence_number() throws Exception {
    Show show = acme.show(false);
    long lastSeq;
    try (DropcastClient host = joinedOn(a, acme.hostToken(show), show)) {
      try (DropcastClient viewer = joinedOn(a, acme.viewerToken(show, "moe"), show)) {
        host.call("chat.send", show.id(), Map.of("text", "one"));
        nextOf(viewer, Events.CHAT_MESSAGE);
        lastSeq = viewer.lastSeq(show.id());
      }
      // While the viewer is away (its node went down, say), the show goes on.
      host.call("chat.send", show.id(), Map.of("text", "two"));
      host.call("chat.send", show.id(), Map.of("text", "three"));
      host.call("product.pin", show.id(), Map.of("productId", acme.products().get(1).id()));

      try (DropcastClient moved = b.connect(acme.viewerToken(show, "moe"))) {
        JsonNode recovery = moved.rejoin(show.id(), lastSeq);
        assertThat(recovery.path("recovered").asBoolean()).as(recovery.toString()).isTrue();
        List<JsonNode> missed = new ArrayList<>();
        for (int i = 0; i < recovery.path("missed").asInt(); i++) {
          missed.add(moved.pollEvent(5, TimeUnit.SECONDS));
        }
        assertThat(missed).doesNotContainNull();
        for (int i = 0; i < missed.size(); i++) {
          assertThat(missed.get(i).path("seq").asLong()).as("missed event %d", i).isEqualTo(lastSeq + 1 + i);
        }
        assertThat(missed.stream().filter(e -> e.path("event").asText().equals(Events.CHAT_MESSAGE))
            .map(e -> e.path("data").path("text").asText())).containsExactly("two", "three");
        assertThat(missed.stream().map(e -> e.path("event").asText())).contains(Events.PINS);

        // And live events keep coming on the new node, right after the recovered ones.
        host.call("chat.send", show.id(), Map.of("text", "four"));
        JsonNode four = nextOf(moved, Events.CHAT_MESSAGE);
        assertThat(four.path("data").path("text").asText()).isEqualTo("four");
        assertThat(four.path("seq").asLong()).isGreaterThan(missed.get(missed.size() - 1).path("seq").asLong());
      }
    }
  }

  @Test
  void viewer_counts_and_reactions_add_up_across_nodes() {
    Show show = acme.show(false);
    try (DropcastClient host = joinedOn(a, acme.hostToken(show), show);
         DropcastClient v1 = joinedOn(a, acme.viewerToken(show, "v1"), show);
         DropcastClient v2 = joinedOn(b, acme.viewerToken(show, "v2"), show);
         DropcastClient v3 = joinedOn(b, acme.viewerToken(show, "v3"), show)) {
      JsonNode counted = next(v3, e -> e.path("event").asText().equals(Events.VIEWERS)
          && e.path("data").path("current").asInt() == 4, "viewers = 4 (2 per node)");
      assertThat(counted.path("data").path("peak").asInt()).isEqualTo(4);

      v1.call("react", show.id(), Map.of("kind", "heart", "count", 3));
      v2.call("react", show.id(), Map.of("kind", "heart", "count", 4));
      JsonNode totals = next(host, e -> e.path("event").asText().equals(Events.REACTIONS)
          && e.path("data").path("heart").asLong() == 7, "hearts from both nodes = 7");
      assertThat(totals.path("data").path("heart").asLong()).isEqualTo(7);

      v3.close();
      JsonNode after = next(host, e -> e.path("event").asText().equals(Events.VIEWERS)
          && e.path("data").path("current").asInt() == 3, "viewers = 3 after one left node B");
      assertThat(after.path("data").path("peak").asInt()).isEqualTo(4);
    }
  }

  @Test
  void a_ban_on_node_a_closes_the_users_socket_on_node_b_and_keeps_them_out() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient mod = joinedOn(a, acme.moderatorToken(show, "mod-1"), show);
         DropcastClient troll = joinedOn(b, acme.viewerToken(show, "troll"), show)) {
      mod.call("chat.ban", show.id(), Map.of("userId", "troll"));
      DropcastClient.CloseStatus closed = troll.closed().get(5, TimeUnit.SECONDS);
      assertThat(closed.code()).isEqualTo(Protocol.CLOSE_BANNED);
      try (DropcastClient again = b.connect(acme.viewerToken(show, "troll"))) {
        assertThat(io.dropcast.server.testing.Calls.errorOf(() -> again.join(show.id())))
            .isEqualTo(io.dropcast.protocol.ErrorCode.BANNED);
      }
    }
  }

  @Test
  void moderators_on_two_nodes_pinning_at_the_same_moment_both_keep_their_pins() throws Exception {
    Show show = acme.show(false);
    String first = acme.products().get(0).id();
    String second = acme.products().get(1).id();
    String third = acme.products().get(2).id();
    try (DropcastClient host = joinedOn(a, acme.hostToken(show), show);
         DropcastClient mod = joinedOn(b, acme.moderatorToken(show, "mia"), show);
         DropcastClient viewer = joinedOn(b, acme.viewerToken(show, "vic"), show)) {
      for (int round = 0; round < 5; round++) {
        // Both pins leave at once, one from each node; neither may overwrite the other.
        var pinA = host.request("product.pin", show.id(), Map.of("productId", round % 2 == 0 ? first : second));
        var pinB = mod.request("product.pin", show.id(), Map.of("productId", third));
        pinA.get(10, TimeUnit.SECONDS);
        pinB.get(10, TimeUnit.SECONDS);
        List<String> pinned = pinnedIds(host.call("product.unpin", show.id(), Map.of("productId", third)));
        assertThat(pinned).as("round " + round).contains(round % 2 == 0 ? first : second).doesNotContain(third);
      }
      JsonNode last = null;
      long deadline = System.currentTimeMillis() + 5_000;
      while (System.currentTimeMillis() < deadline) {
        JsonNode e = viewer.pollEvent(200, TimeUnit.MILLISECONDS);
        if (e != null && e.path("event").asText().equals(Events.PINS)) {
          last = e;
        } else if (e == null && last != null) {
          break;
        }
      }
      assertThat(last).as("product.pins on node B").isNotNull();
      assertThat(pinnedIds(last.path("data"))).containsExactlyInAnyOrder(first, second);
      JsonNode error = mod.request("product.unpin", show.id(), Map.of("productId", third))
          .handle((ok, e) -> e == null ? null : io.dropcast.protocol.JsonCodec.mapper().createObjectNode()
              .put("code", e instanceof io.dropcast.protocol.ProtocolException p ? p.code().name()
                  : e.getCause() instanceof io.dropcast.protocol.ProtocolException p ? p.code().name() : e.toString()))
          .get(10, TimeUnit.SECONDS);
      assertThat(error).as("unpinning what is not pinned").isNotNull();
      assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
    }
  }

  private static List<String> pinnedIds(JsonNode data) {
    List<String> ids = new ArrayList<>();
    data.path("pins").forEach(p -> ids.add(p.path("productId").asText()));
    return ids;
  }

  @Test
  void a_sale_start_is_announced_once_to_viewers_on_every_node() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient onA = joinedOn(a, acme.viewerToken(show, "ann"), show);
         DropcastClient onB = joinedOn(b, acme.viewerToken(show, "bob"), show)) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("productId", acme.products().get(0).id());
      body.put("showId", show.id());
      body.put("priceMinor", 990);
      body.put("quantity", 10);
      body.put("startsAt", now.plusMillis(700).toString());
      body.put("endsAt", now.plusSeconds(3600).toString());
      Rest.Response created = a.rest().post("/api/v1/sales", acme.apiKey(), body);
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      for (DropcastClient viewer : List.of(onA, onB)) {
        JsonNode started;
        try {
          started = next(viewer, e -> e.path("event").asText().equals(Events.SALE_STARTED), Events.SALE_STARTED, 15);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + " on node " + (viewer == onA ? "A" : "B")
              + "; the show's shared history in Redis: " + sharedHistory(show.id()), e);
        }
        assertThat(started.path("data").path("sale").asText()).isEqualTo(created.json().path("id").asText());
      }
      List<JsonNode> more = io.dropcast.server.testing.Calls.collect(onB, Events.SALE_STARTED, 1000);
      assertThat(more).as("both nodes' tickers saw the start; viewers hear it once").isEmpty();
    }
  }
}
