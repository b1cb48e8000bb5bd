package io.dropcast.server.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Meters of the live-show runtime. No per-show or per-user labels (bounded cardinality): per-show
 * numbers are in each show's {@code stats} (join snapshot, {@code show.stats}). Thread-safe.
 */
final class LiveMetrics {
  private static final java.time.Duration MIN_LATENCY = java.time.Duration.ofNanos(20_000);
  private static final java.time.Duration MAX_LATENCY = java.time.Duration.ofSeconds(10);
  final Counter eventsPublished;
  final Counter eventWrites;
  final Counter mediaFramesIn;
  final Counter mediaWrites;
  final Counter mediaDrops;
  final Counter flushes;
  final Counter slowCloses;
  final Timer eventFanoutLatency;
  final Timer mediaRelayLatency;

  LiveMetrics(MeterRegistry registry) {
    eventsPublished = Counter.builder("dropcast_live_events_published")
        .description("Show events published (each encoded once)").register(registry);
    eventWrites = Counter.builder("dropcast_live_event_writes")
        .description("Show events written to viewers (deliveries)").register(registry);
    mediaFramesIn = Counter.builder("dropcast_media_frames_received")
        .description("Media frames accepted from hosts").register(registry);
    mediaWrites = Counter.builder("dropcast_media_frame_writes")
        .description("Media frames written to viewers").register(registry);
    mediaDrops = Counter.builder("dropcast_media_frames_dropped")
        .description("Media frames not delivered to a viewer (slow viewer skipping to the next keyframe, "
            + "audio while not writable, overloaded event loop)").register(registry);
    flushes = Counter.builder("dropcast_live_flushes")
        .description("Channel flushes by the fan-out (writes / flushes = messages per flush)").register(registry);
    slowCloses = Counter.builder("dropcast_live_slow_closes")
        .description("Viewers closed with 4408 because more than live.max-queued-bytes was queued").register(registry);
    // Histograms (buckets from 20 µs to 10 s): quantiles over any window come from two scrapes.
    eventFanoutLatency = Timer.builder("dropcast_live_event_fanout_latency")
        .description("Server-side latency of a show event: fanned out by its room → flushed to the kernel for a "
            + "viewer (per delivery; every 8th viewer of a flush sampled)")
        .publishPercentileHistogram().minimumExpectedValue(MIN_LATENCY).maximumExpectedValue(MAX_LATENCY)
        .register(registry);
    mediaRelayLatency = Timer.builder("dropcast_media_relay_latency")
        .description("Server-added latency of a media frame: read from the host (or from Redis) → flushed to "
            + "the kernel for a viewer (per delivery; every 8th viewer of a flush sampled)")
        .publishPercentileHistogram().minimumExpectedValue(MIN_LATENCY).maximumExpectedValue(MAX_LATENCY)
        .register(registry);
  }
}
