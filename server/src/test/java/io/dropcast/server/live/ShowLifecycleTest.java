package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.errorOf;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Calls;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShowLifecycleTest {
  static TestNode node;
  static ShowFixture acme;
  static ShowFixture other;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("live.coalesce-ms", "200"));
    acme = ShowFixture.brand(node, "Acme");
    other = ShowFixture.brand(node, "Other");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void join_returns_a_snapshot_with_show_metadata_and_counters() {
    Show show = acme.show(false);
    try (DropcastClient viewer = acme.joined(acme.viewerToken(show, "v1"), show)) {
      JsonNode snap = viewer.join(show.id());
      assertThat(snap.path("recovered").asBoolean()).isFalse();
      assertThat(snap.path("show").path("title").asText()).isEqualTo(show.title());
      assertThat(snap.path("show").path("state").asText()).isEqualTo("scheduled");
      assertThat(snap.path("show").path("sponsored").asBoolean()).isTrue();
      assertThat(snap.path("show").path("guestsAllowed").asBoolean()).isFalse();
      assertThat(snap.path("pins").isArray()).isTrue();
      assertThat(snap.path("chat").path("messages").isArray()).isTrue();
      assertThat(snap.path("chat").has("pinned")).isTrue();
      assertThat(snap.path("chat").path("slowModeSeconds").asInt()).isZero();
      assertThat(snap.path("viewers").path("current").asInt()).isEqualTo(1);
      assertThat(snap.path("reactions").isObject()).isTrue();
      assertThat(snap.path("seq").isIntegralNumber()).isTrue();
      assertThat(snap.path("you").path("userId").asText()).isEqualTo("v1");
    }
  }

  @Test
  void only_the_host_starts_and_ends_a_show_and_it_never_goes_backwards() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient mod = acme.joined(acme.moderatorToken(show, "m1"), show);
         DropcastClient viewer = acme.joined(acme.viewerToken(show, "v1"), show)) {
      assertThat(errorOf(() -> viewer.call("show.start", show.id(), null))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> mod.call("show.start", show.id(), null))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> host.call("show.end", show.id(), null))).isEqualTo(ErrorCode.CONFLICT);

      JsonNode live = host.call("show.start", show.id(), null);
      assertThat(live.path("state").asText()).isEqualTo("live");
      assertThat(live.path("startedAt").asText()).isNotEmpty();
      JsonNode event = next(viewer, Events.SHOW_STATE);
      assertThat(event.path("data").path("state").asText()).isEqualTo("live");
      assertThat(event.path("seq").asLong()).isPositive();
      assertThat(acme.stored(show.id()).state()).isEqualTo(Show.State.LIVE);

      assertThat(errorOf(() -> host.call("show.start", show.id(), null))).isEqualTo(ErrorCode.CONFLICT);
      assertThat(host.call("show.end", show.id(), null).path("state").asText()).isEqualTo("ended");
      assertThat(next(viewer, Events.SHOW_STATE).path("data").path("state").asText()).isEqualTo("ended");
      assertThat(acme.stored(show.id()).state()).isEqualTo(Show.State.ENDED);
      assertThat(errorOf(() -> host.call("show.start", show.id(), null))).isEqualTo(ErrorCode.CONFLICT);
      assertThat(errorOf(() -> host.call("show.end", show.id(), null))).isEqualTo(ErrorCode.CONFLICT);
    }
  }

  @Test
  void unknown_show_is_not_found_and_ops_on_a_show_not_joined_are_forbidden() {
    Show show = acme.show(false);
    try (DropcastClient viewer = node.connect(acme.brandViewerToken("v2"))) {
      assertThat(errorOf(() -> viewer.join("shw_doesnotexist"))).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(errorOf(() -> viewer.call("chat.send", show.id(), Map.of("text", "hi")))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> viewer.call("chat.send", null, Map.of("text", "hi")))).isEqualTo(ErrorCode.BAD_REQUEST);
    }
  }

  @Test
  void a_viewer_of_brand_a_cannot_join_or_act_on_brand_b_show() {
    Show theirs = other.show(true);
    Show ours = acme.show(false);
    try (DropcastClient viewer = node.connect(acme.brandViewerToken("v3"));
         DropcastClient host = acme.joined(acme.hostToken(ours), ours)) {
      // Another brand's show is answered like one that does not exist.
      assertThat(errorOf(() -> viewer.join(theirs.id()))).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(errorOf(() -> viewer.join("shw_doesnotexist"))).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(errorOf(() -> viewer.call("chat.send", theirs.id(), Map.of("text", "hi")))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> viewer.call("react", theirs.id(), Map.of("kind", "like")))).isEqualTo(ErrorCode.FORBIDDEN);
      // A host of brand A's show cannot join, pin or start brand B's show either.
      assertThat(errorOf(() -> host.join(theirs.id()))).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(errorOf(() -> host.call("show.start", theirs.id(), null))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> host.call("product.pin", theirs.id(),
          Map.of("productId", other.products().get(0).id())))).isEqualTo(ErrorCode.FORBIDDEN);
      // The failed join left the host in its own show.
      assertThat(host.call("react", ours.id(), Map.of("kind", "like"))).isNull();
    }
  }

  @Test
  void guests_join_only_shows_that_allow_guests_and_may_not_chat() {
    Show open = acme.show(true);
    Show closed = acme.show(false);
    try (DropcastClient guest = node.connect(null)) {
      assertThat(errorOf(() -> guest.join(closed.id()))).isEqualTo(ErrorCode.UNAUTHORIZED);
      JsonNode snap = guest.join(open.id());
      assertThat(snap.path("you").path("role").asText()).isEqualTo("guest");
      assertThat(snap.path("you").path("userId").asText()).startsWith("guest_");
      assertThat(errorOf(() -> guest.call("chat.send", open.id(), Map.of("text", "hi")))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(guest.call("react", open.id(), Map.of("kind", "heart"))).isNull();
      assertThat(errorOf(() -> guest.join(closed.id()))).isEqualTo(ErrorCode.UNAUTHORIZED);
    }
  }

  @Test
  void a_socket_is_in_one_show_at_a_time() throws Exception {
    Show first = acme.show(false);
    Show second = acme.show(false);
    try (DropcastClient viewer = node.connect(acme.brandViewerToken("v4"));
         DropcastClient host = acme.joined(acme.hostToken(first), first)) {
      viewer.join(first.id());
      viewer.join(second.id());
      assertThat(errorOf(() -> viewer.call("react", first.id(), Map.of("kind", "like")))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(viewer.call("react", second.id(), Map.of("kind", "like"))).isNull();
      assertThat(host.call("show.stats", first.id(), null).path("viewers").asInt()).isEqualTo(1);
      assertThat(viewer.call("leave", second.id(), null).path("left").asBoolean()).isTrue();
      assertThat(errorOf(() -> viewer.call("react", second.id(), Map.of("kind", "like")))).isEqualTo(ErrorCode.FORBIDDEN);
    }
  }

  @Test
  void viewer_counts_are_coalesced_and_the_last_value_is_delivered() throws Exception {
    Show show = acme.show(false);
    List<DropcastClient> viewers = new ArrayList<>();
    try (DropcastClient watcher = acme.joined(acme.viewerToken(show, "watcher"), show)) {
      Calls.collect(watcher, Events.VIEWERS, 400); // the watcher's own join
      for (int i = 0; i < 30; i++) {
        viewers.add(acme.joined(acme.viewerToken(show, "crowd-" + i), show));
      }
      List<JsonNode> counts = Calls.collect(watcher, Events.VIEWERS, 1200);
      assertThat(counts).isNotEmpty().hasSizeLessThan(10);
      JsonNode last = counts.get(counts.size() - 1).path("data");
      assertThat(last.path("current").asInt()).isEqualTo(31);
      assertThat(last.path("peak").asInt()).isEqualTo(31);
      viewers.forEach(DropcastClient::close);
      viewers.clear();
      JsonNode after = null;
      for (JsonNode e : Calls.collect(watcher, Events.VIEWERS, 1200)) {
        after = e;
      }
      assertThat(after).isNotNull();
      assertThat(after.path("data").path("current").asInt()).isEqualTo(1);
      assertThat(after.path("data").path("peak").asInt()).isEqualTo(31);
    } finally {
      viewers.forEach(DropcastClient::close);
    }
  }
}
