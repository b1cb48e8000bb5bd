package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The brand's REST edits of a show (PATCH, DELETE) reach a show whose room already exists on the
 * node: host hand-over, guests turned off, new metadata, deletion. Over real sockets and HTTP.
 */
class ShowEditsTest {
  static TestNode node;
  static ShowFixture acme;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of());
    acme = ShowFixture.brand(node, "Acme");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void patch(Show show, Map<String, Object> body) {
    Rest.Response response = node.rest().patch("/api/v1/shows/" + show.id(), acme.apiKey(), body);
    assertThat(response.status()).as(response.text()).isEqualTo(200);
  }

  private static String hostTokenOverRest(Show show, String userId) {
    Rest.Response minted = node.rest().post("/api/v1/tokens", acme.apiKey(),
        Map.of("role", "host", "show", show.id(), "userId", userId, "name", "New host"));
    assertThat(minted.status()).as(minted.text()).isEqualTo(201);
    return minted.json().path("token").asText();
  }

  @Test
  void a_host_replaced_by_patch_can_no_longer_join_as_host_and_the_new_host_runs_the_show() {
    Show show = acme.show(false);
    String oldHost = acme.hostToken(show);
    try (DropcastClient first = acme.joined(oldHost, show)) {
      assertThat(first.call("show.stats", show.id(), null).path("viewers").asInt()).isEqualTo(1);
    }
    patch(show, Map.of("hostUserId", "host-2"));

    try (DropcastClient stale = node.connect(oldHost)) {
      assertThat(errorOf(() -> stale.join(show.id()))).isEqualTo(ErrorCode.FORBIDDEN);
    }
    try (DropcastClient host = acme.joined(hostTokenOverRest(show, "host-2"), show)) {
      assertThat(host.call("show.start", show.id(), null).path("state").asText()).isEqualTo("live");
    }
  }

  @Test
  void a_host_still_in_the_room_after_a_hand_over_cannot_start_the_show_nor_ban_the_new_host() {
    Show show = acme.show(false);
    try (DropcastClient old = acme.joined(acme.hostToken(show), show)) {
      patch(show, Map.of("hostUserId", "host-2"));
      assertThat(errorOf(() -> old.call("show.start", show.id(), null))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(acme.stored(show.id()).state()).isEqualTo(Show.State.SCHEDULED);

      // The old host's room still names it as host until someone joins; a ban it makes meanwhile
      // does not lock the new host out.
      old.call("chat.ban", show.id(), Map.of("userId", "host-2"));
      try (DropcastClient host = acme.joined(hostTokenOverRest(show, "host-2"), show)) {
        assertThat(host.call("chat.send", show.id(), Map.of("text", "hello")).path("userId").asText())
            .isEqualTo("host-2");
        assertThat(host.call("show.start", show.id(), null).path("state").asText()).isEqualTo("live");
      }
    }
  }

  @Test
  void guests_are_refused_once_the_brand_turns_guests_off() {
    Show show = acme.show(true);
    try (DropcastClient guest = node.connect(null)) {
      assertThat(guest.join(show.id()).path("you").path("role").asText()).isEqualTo("guest");
    }
    patch(show, Map.of("guestsAllowed", false));
    try (DropcastClient guest = node.connect(null)) {
      assertThat(errorOf(() -> guest.join(show.id()))).isEqualTo(ErrorCode.UNAUTHORIZED);
    }
  }

  @Test
  void a_join_snapshot_carries_the_brands_latest_title_and_sponsorship() {
    Show show = acme.show(false);
    String viewer = acme.viewerToken(show, "v1");
    try (DropcastClient first = acme.joined(viewer, show)) {
      assertThat(first.join(show.id()).path("show").path("title").asText()).isEqualTo(show.title());
    }
    patch(show, Map.of("title", "Renamed drop", "sponsored", false));
    try (DropcastClient later = node.connect(viewer)) {
      JsonNode info = later.join(show.id()).path("show");
      assertThat(info.path("title").asText()).isEqualTo("Renamed drop");
      assertThat(info.path("sponsored").asBoolean()).isFalse();
    }
  }

  @Test
  void a_deleted_show_cannot_be_joined_even_though_it_was_joined_before() {
    Show show = acme.show(false);
    String viewer = acme.viewerToken(show, "v1");
    try (DropcastClient first = acme.joined(viewer, show)) {
      assertThat(first.join(show.id()).path("recovered").asBoolean()).isFalse();
    }
    Rest.Response deleted = node.rest().delete("/api/v1/shows/" + show.id(), acme.apiKey());
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
    try (DropcastClient later = node.connect(viewer)) {
      assertThat(errorOf(() -> later.join(show.id()))).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }
}
