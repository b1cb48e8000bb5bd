package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.errorOf;
import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChatTest {
  static TestNode node;
  static ShowFixture acme;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("chat.history-size", "5", "chat.max-length", "20",
        "chat.rate-burst", "3", "chat.rate-per-second", "1", "chat.max-filter-words", "3"));
    acme = ShowFixture.brand(node, "Acme");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Map<String, Object> text(String t) {
    return Map.of("text", t);
  }

  @Test
  void chat_reaches_every_viewer_and_a_late_joiner_gets_the_recent_history() {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show)) {
      for (int i = 1; i <= 7; i++) {
        (i % 2 == 0 ? host : a).call("chat.send", show.id(), text("message " + i));
        if (i % 3 == 0) {
          sleep(1100); // stay within the per-user rate limit
        }
      }
      JsonNode event = next(host, e -> Events.CHAT_MESSAGE.equals(e.path("event").asText())
          && e.path("data").path("text").asText().equals("message 7"), "message 7");
      assertThat(event.path("data").path("userId").asText()).isEqualTo("a");
      assertThat(event.path("data").path("name").asText()).isEqualTo("Viewer a");
      try (DropcastClient late = node.connect(acme.viewerToken(show, "late"))) {
        JsonNode messages = late.join(show.id()).path("chat").path("messages");
        assertThat(messages).hasSize(5);
        assertThat(messages.get(0).path("text").asText()).isEqualTo("message 3");
        assertThat(messages.get(4).path("text").asText()).isEqualTo("message 7");
        assertThat(messages.get(4).path("id").asText()).startsWith("msg_");
      }
    }
  }

  @Test
  void long_empty_and_too_fast_messages_are_rejected() {
    Show show = acme.show(false);
    try (DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show)) {
      assertThat(errorOf(() -> a.call("chat.send", show.id(), text("x".repeat(21))))).isEqualTo(ErrorCode.TOO_LARGE);
      assertThat(errorOf(() -> a.call("chat.send", show.id(), text("   ")))).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(errorOf(() -> a.call("chat.send", show.id(), Map.of("text", 5)))).isEqualTo(ErrorCode.BAD_REQUEST);
      for (int i = 0; i < 3; i++) {
        a.call("chat.send", show.id(), text("burst " + i));
      }
      assertThat(errorOf(() -> a.call("chat.send", show.id(), text("one too many")))).isEqualTo(ErrorCode.RATE_LIMITED);
    }
  }

  @Test
  void slow_mode_limits_viewers_but_not_moderators_and_only_moderators_set_it() {
    Show show = acme.show(false);
    try (DropcastClient mod = acme.joined(acme.moderatorToken(show, "mod"), show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show)) {
      assertThat(errorOf(() -> a.call("chat.slow", show.id(), Map.of("seconds", 30)))).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(errorOf(() -> mod.call("chat.slow", show.id(), Map.of("seconds", 100000)))).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(mod.call("chat.slow", show.id(), Map.of("seconds", 30)).path("slowModeSeconds").asInt()).isEqualTo(30);
      assertThat(next(a, Events.CHAT_SETTINGS).path("data").path("slowModeSeconds").asInt()).isEqualTo(30);
      a.call("chat.send", show.id(), text("first"));
      assertThat(errorOf(() -> a.call("chat.send", show.id(), text("second")))).isEqualTo(ErrorCode.RATE_LIMITED);
      mod.call("chat.send", show.id(), text("mod 1"));
      mod.call("chat.send", show.id(), text("mod 2"));
      mod.call("chat.slow", show.id(), Map.of("seconds", 0));
      a.call("chat.send", show.id(), text("now free"));
    }
  }

  @Test
  void muted_users_cannot_chat_until_unmuted() {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show);
         DropcastClient b = acme.joined(acme.viewerToken(show, "b"), show)) {
      assertThat(errorOf(() -> b.call("chat.mute", show.id(), Map.of("userId", "a")))).isEqualTo(ErrorCode.FORBIDDEN);
      host.call("chat.mute", show.id(), Map.of("userId", "a"));
      JsonNode moderated = next(b, Events.USER_MODERATED).path("data");
      assertThat(moderated.path("userId").asText()).isEqualTo("a");
      assertThat(moderated.path("action").asText()).isEqualTo("muted");
      assertThat(errorOf(() -> a.call("chat.send", show.id(), text("hello")))).isEqualTo(ErrorCode.MUTED);
      b.call("chat.send", show.id(), text("b still talks"));
      host.call("chat.unmute", show.id(), Map.of("userId", "a"));
      a.call("chat.send", show.id(), text("back"));
      assertThat(errorOf(() -> host.call("chat.mute", show.id(), Map.of("userId", "host-1")))).isEqualTo(ErrorCode.BAD_REQUEST);
    }
  }

  @Test
  void banned_users_are_disconnected_and_cannot_rejoin_until_unbanned() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient mod = acme.joined(acme.moderatorToken(show, "mod"), show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "troll"), show)) {
      mod.call("chat.ban", show.id(), Map.of("userId", "troll"));
      DropcastClient.CloseStatus closed = a.closed().get(5, TimeUnit.SECONDS);
      assertThat(closed.code()).isEqualTo(Protocol.CLOSE_BANNED);
      try (DropcastClient again = node.connect(acme.viewerToken(show, "troll"))) {
        assertThat(errorOf(() -> again.join(show.id()))).isEqualTo(ErrorCode.BANNED);
        mod.call("chat.unban", show.id(), Map.of("userId", "troll"));
        again.join(show.id());
        again.call("chat.send", show.id(), text("sorry"));
        assertThat(mod.call("show.stats", show.id(), null).path("viewers").asInt())
            .as("the moderator and the troll's new connection; the banned one was removed").isEqualTo(2);
      }
    }
  }

  @Test
  void moderators_delete_filter_and_pin_comments() {
    Show show = acme.show(false);
    try (DropcastClient mod = acme.joined(acme.moderatorToken(show, "mod"), show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show)) {
      assertThat(errorOf(() -> mod.call("chat.filter", show.id(), Map.of("words", List.of("a", "b", "c", "d")))))
          .isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(errorOf(() -> a.call("chat.filter", show.id(), Map.of("words", List.of("darn")))))
          .isEqualTo(ErrorCode.FORBIDDEN);
      mod.call("chat.filter", show.id(), Map.of("words", List.of("Darn")));
      JsonNode sent = a.call("chat.send", show.id(), text("oh DARN it, darned"));
      assertThat(sent.path("text").asText()).isEqualTo("oh **** it, darned");

      JsonNode question = a.call("chat.send", show.id(), text("is it waterproof?"));
      String id = question.path("id").asText();
      assertThat(errorOf(() -> a.call("chat.pin", show.id(), Map.of("messageId", id)))).isEqualTo(ErrorCode.FORBIDDEN);
      mod.call("chat.pin", show.id(), Map.of("messageId", id));
      assertThat(next(a, Events.CHAT_PINNED).path("data").path("message").path("id").asText()).isEqualTo(id);
      try (DropcastClient late = node.connect(acme.viewerToken(show, "late"))) {
        assertThat(late.join(show.id()).path("chat").path("pinned").path("text").asText()).isEqualTo("is it waterproof?");
      }
      assertThat(errorOf(() -> a.call("chat.delete", show.id(), Map.of("messageId", id)))).isEqualTo(ErrorCode.FORBIDDEN);
      mod.call("chat.delete", show.id(), Map.of("messageId", id));
      assertThat(next(a, Events.CHAT_DELETED).path("data").path("messageId").asText()).isEqualTo(id);
      assertThat(next(a, Events.CHAT_PINNED).path("data").path("message").isNull()).isTrue();
      assertThat(errorOf(() -> mod.call("chat.delete", show.id(), Map.of("messageId", id)))).isEqualTo(ErrorCode.NOT_FOUND);
      try (DropcastClient late = node.connect(acme.viewerToken(show, "late2"))) {
        JsonNode chat = late.join(show.id()).path("chat");
        assertThat(chat.path("pinned").isNull()).isTrue();
        assertThat(chat.path("messages").findValuesAsText("id")).doesNotContain(id);
      }
    }
  }

  @Test
  void reactions_are_counted_and_pushed_as_coalesced_totals() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show);
         DropcastClient b = acme.joined(acme.viewerToken(show, "b"), show)) {
      for (int i = 0; i < 10; i++) {
        a.call("react", show.id(), Map.of("kind", "like"));
      }
      b.call("react", show.id(), Map.of("kind", "heart", "count", 5));
      assertThat(errorOf(() -> b.call("react", show.id(), Map.of("kind", "boo")))).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(errorOf(() -> b.call("react", show.id(), Map.of("kind", "like", "count", 51)))).isEqualTo(ErrorCode.BAD_REQUEST);
      List<JsonNode> totals = io.dropcast.server.testing.Calls.collect(b, Events.REACTIONS, 1000);
      assertThat(totals).isNotEmpty().hasSizeLessThan(5);
      JsonNode last = totals.get(totals.size() - 1).path("data");
      assertThat(last.path("like").asLong()).isEqualTo(10);
      assertThat(last.path("heart").asLong()).isEqualTo(5);
      assertThat(b.join(show.id()).path("reactions").path("like").asLong()).isEqualTo(10);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
