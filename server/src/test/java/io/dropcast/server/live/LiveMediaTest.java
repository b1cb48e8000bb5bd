package io.dropcast.server.live;

import static io.dropcast.server.testing.Calls.next;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.protocol.media.MediaFrame;
import io.dropcast.protocol.media.MediaFrame.Kind;
import io.dropcast.protocol.media.MediaFrame.TrackType;
import io.dropcast.server.show.Show;
import io.dropcast.server.testing.ShowFixture;
import io.dropcast.server.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LiveMediaTest {
  static final int WRITE_QUEUE = 65536;
  static TestNode node;
  static ShowFixture acme;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("ws.write-queue-bytes", String.valueOf(WRITE_QUEUE)));
    acme = ShowFixture.brand(node, "Acme");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static MediaFrame config(int track, TrackType type) {
    return new MediaFrame(Kind.CONFIG, track, type, 0, 0,
        ("{\"codec\":\"" + (type == TrackType.VIDEO ? "avc1.42E01E" : "opus") + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  /** Video frame {@code index} of GOP {@code gop}: a keyframe at index 0; the timestamp encodes both. */
  static MediaFrame video(int gop, int index, int size) {
    byte[] payload = new byte[size];
    payload[0] = (byte) gop;
    payload[size - 1] = (byte) index;
    return new MediaFrame(index == 0 ? Kind.KEY : Kind.DELTA, 0, TrackType.VIDEO, gop * 1_000_000L + index * 33_333L,
        33_333, payload);
  }

  static MediaFrame audio(long ts) {
    return new MediaFrame(Kind.KEY, 1, TrackType.AUDIO, ts, 20_000, new byte[] {1, 2, 3});
  }

  static MediaFrame media(DropcastClient client) throws InterruptedException {
    MediaFrame f = client.media().poll(5, TimeUnit.SECONDS);
    assertThat(f).as("a media frame within 5 s").isNotNull();
    return f;
  }

  static DropcastClient liveHost(Show show) {
    DropcastClient host = acme.joined(acme.hostToken(show), show);
    host.call("show.start", show.id(), null);
    return host;
  }

  @Test
  void host_goes_live_and_two_viewers_receive_frames_in_order() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = liveHost(show);
         DropcastClient a = acme.joined(acme.viewerToken(show, "a"), show);
         DropcastClient b = acme.joined(acme.viewerToken(show, "b"), show)) {
      List<MediaFrame> sent = new ArrayList<>();
      sent.add(config(0, TrackType.VIDEO));
      sent.add(config(1, TrackType.AUDIO));
      for (int i = 0; i < 20; i++) {
        sent.add(video(1, i, 2000 + i));
        sent.add(audio(1_000_000L + i * 20_000L));
      }
      sent.forEach(host::sendMedia);
      for (DropcastClient viewer : List.of(a, b)) {
        for (MediaFrame expected : sent) {
          MediaFrame got = media(viewer);
          assertThat(got.kind()).isEqualTo(expected.kind());
          assertThat(got.trackId()).isEqualTo(expected.trackId());
          assertThat(got.timestampMicros()).isEqualTo(expected.timestampMicros());
          assertThat(got.payload()).isEqualTo(expected.payload());
        }
      }
      assertThat(host.media()).as("the host does not get its own frames back").isEmpty();
    }
  }

  /** @return the value of one sample line of /metrics (name with labels), or -1 when absent */
  static double metric(String sample) throws Exception {
    String text = node.rest().get("/metrics", null).text();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(sample) + " (\\S+)$")
        .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void the_server_reports_how_long_it_took_from_reading_a_frame_or_event_to_flushing_it_to_viewers() throws Exception {
    Show show = acme.show(false);
    double framesBefore = Math.max(0, metric("dropcast_media_relay_latency_seconds_count"));
    double eventsBefore = Math.max(0, metric("dropcast_live_event_fanout_latency_seconds_count"));
    try (DropcastClient host = liveHost(show);
         DropcastClient viewer = acme.joined(acme.viewerToken(show, "timed"), show)) {
      for (int i = 0; i < 30; i++) {
        host.sendMedia(video(1, i, 1000));
      }
      for (int i = 0; i < 30; i++) {
        media(viewer);
      }
      host.call("chat.send", show.id(), Map.of("text", "timed"));
      next(viewer, "chat.message");
    }
    assertThat(metric("dropcast_media_relay_latency_seconds_count") - framesBefore).isGreaterThanOrEqualTo(30);
    assertThat(metric("dropcast_live_event_fanout_latency_seconds_count") - eventsBefore).isGreaterThanOrEqualTo(1);
    for (String name : List.of("dropcast_media_relay_latency_seconds", "dropcast_live_event_fanout_latency_seconds")) {
      assertThat(metric(name + "_max")).as(name + " max").isGreaterThan(0).isLessThan(5);
      assertThat(metric(name + "_bucket{le=\"+Inf\"}")).isEqualTo(metric(name + "_count"));
    }
  }

  @Test
  void late_joiner_gets_codec_config_first_and_starts_at_the_last_keyframe() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = liveHost(show);
         DropcastClient early = acme.joined(acme.viewerToken(show, "early"), show)) {
      List<MediaFrame> sent = new ArrayList<>(List.of(config(0, TrackType.VIDEO), config(1, TrackType.AUDIO)));
      for (int gop = 1; gop <= 2; gop++) {
        for (int i = 0; i < 5; i++) {
          sent.add(video(gop, i, 500));
          sent.add(audio(gop * 1_000_000L + i * 20_000L + 1));
        }
      }
      sent.add(video(2, 5, 500));
      sent.forEach(host::sendMedia);
      for (int i = 0; i < sent.size(); i++) {
        media(early); // every frame reached the room before the late join
      }
      try (DropcastClient late = acme.joined(acme.viewerToken(show, "late"), show)) {
        MediaFrame first = media(late);
        MediaFrame second = media(late);
        assertThat(List.of(first.kind(), second.kind())).containsOnly(Kind.CONFIG);
        assertThat(List.of(first.trackId(), second.trackId())).containsExactlyInAnyOrder(0, 1);
        MediaFrame third = media(late);
        assertThat(third.kind()).isEqualTo(Kind.KEY);
        assertThat(third.trackType()).isEqualTo(TrackType.VIDEO);
        assertThat(third.timestampMicros()).isEqualTo(2_000_000L);
        // The rest of GOP 2 follows in order (video deltas 1..5 interleaved with audio), then live frames.
        List<Long> videoAfter = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          MediaFrame f = media(late);
          if (f.trackType() == TrackType.VIDEO) {
            assertThat(f.kind()).isEqualTo(Kind.DELTA);
            videoAfter.add(f.timestampMicros());
          }
        }
        assertThat(videoAfter).containsExactly(2_033_333L, 2_066_666L, 2_099_999L, 2_133_332L, 2_166_665L);
        host.sendMedia(video(2, 6, 500));
        assertThat(media(late).timestampMicros()).isEqualTo(2_000_000L + 6 * 33_333L);
      }
    }
  }

  @Test
  void slow_viewer_skips_deltas_until_the_next_keyframe_while_a_fast_viewer_gets_every_frame() throws Exception {
    Show show = acme.show(false);
    int frameSize = 16 * 1024;
    int perGop = 30;
    int gops = 40;
    try (DropcastClient host = liveHost(show);
         DropcastClient fast = acme.joined(acme.viewerToken(show, "fast"), show);
         DropcastClient slow = acme.joined(acme.viewerToken(show, "slow"), show)) {
      host.sendMedia(config(0, TrackType.VIDEO));
      assertThat(media(fast).kind()).isEqualTo(Kind.CONFIG);
      slow.pauseReading();
      int sent = 0;
      for (int gop = 1; gop <= gops; gop++) {
        for (int i = 0; i < perGop; i++) {
          host.sendMedia(video(gop, i, frameSize));
          sent++;
          // Pace the host by the fast viewer (a real encoder sends at its frame rate, not in bursts);
          // the fast viewer must get every single frame, in order.
          MediaFrame f = media(fast);
          assertThat(f.timestampMicros()).isEqualTo(gop * 1_000_000L + i * 33_333L);
        }
      }
      JsonNode stats = host.call("show.stats", show.id(), null);
      assertThat(stats.path("mediaFramesDropped").asLong()).isPositive();
      assertThat(stats.path("maxQueuedBytes").asLong())
          .as("bytes queued for the slow viewer stay bounded")
          .isPositive().isLessThanOrEqualTo(WRITE_QUEUE + 2L * (frameSize + MediaFrame.HEADER_SIZE));

      slow.resumeReading();
      // Let the slow viewer drain what was queued for it (until nothing arrives for 500 ms).
      List<MediaFrame> got = new ArrayList<>();
      for (MediaFrame f; (f = slow.media().poll(500, TimeUnit.MILLISECONDS)) != null; ) {
        got.add(f);
      }
      int lastGop = gops + 1;
      for (int i = 0; i < 5; i++) {
        host.sendMedia(video(lastGop, i, frameSize));
      }
      long end = lastGop * 1_000_000L + 4 * 33_333L;
      while (got.isEmpty() || got.get(got.size() - 1).timestampMicros() != end) {
        got.add(media(slow));
      }
      assertThat(got.size()).as("the slow viewer lost frames").isLessThan(sent + 6);
      // Every delta the slow viewer got continues an unbroken chain from its keyframe.
      long previous = -1;
      for (MediaFrame f : got) {
        if (f.kind() == Kind.DELTA) {
          assertThat(previous).as("delta %d follows its predecessor", f.timestampMicros())
              .isEqualTo(f.timestampMicros() - 33_333L);
        }
        previous = f.kind() == Kind.CONFIG ? previous : f.timestampMicros();
      }
      assertThat(got.get(got.size() - 5).kind()).isEqualTo(Kind.KEY);
    }
  }

  @Test
  void media_from_a_viewer_is_rejected_and_not_relayed() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = liveHost(show);
         DropcastClient viewer = acme.joined(acme.viewerToken(show, "sneaky"), show);
         DropcastClient other = acme.joined(acme.viewerToken(show, "other"), show)) {
      viewer.sendMedia(video(1, 0, 100));
      JsonNode error = next(viewer, e -> "reply".equals(e.path("type").asText()), "an error reply");
      assertThat(error.path("ok").asBoolean()).isFalse();
      assertThat(error.get("id").isNull()).as("error for a binary frame has id null").isTrue();
      assertThat(error.path("error").path("code").asText()).isEqualTo("FORBIDDEN");
      host.sendMedia(video(7, 0, 100));
      assertThat(media(other).timestampMicros()).as("only the host's frame was relayed").isEqualTo(7_000_000L);
    }
  }

  @Test
  void malformed_media_header_and_media_before_going_live_are_rejected() throws Exception {
    Show show = acme.show(false);
    try (DropcastClient host = acme.joined(acme.hostToken(show), show);
         DropcastClient viewer = acme.joined(acme.viewerToken(show, "v"), show)) {
      host.sendMedia(video(1, 0, 100));
      assertThat(next(host, e -> "reply".equals(e.path("type").asText()), "an error reply")
          .path("error").path("code").asText()).isEqualTo("CONFLICT");
      host.call("show.start", show.id(), null);
      host.sendBinary(new byte[] {1, 0, 0});
      assertThat(next(host, e -> "reply".equals(e.path("type").asText()), "an error reply")
          .path("error").path("code").asText()).isEqualTo("BAD_REQUEST");
      byte[] badVersion = video(1, 0, 100).encode();
      badVersion[0] = 9;
      host.sendBinary(badVersion);
      assertThat(next(host, e -> "reply".equals(e.path("type").asText()), "an error reply")
          .path("error").path("code").asText()).isEqualTo("BAD_REQUEST");
      host.sendMedia(video(2, 0, 100));
      assertThat(media(viewer).timestampMicros()).isEqualTo(2_000_000L);
      assertThat(host.call("ping", null, null).path("time").asLong()).as("server still answers").isPositive();
    }
  }
}
