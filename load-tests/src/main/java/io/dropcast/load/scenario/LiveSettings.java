package io.dropcast.load.scenario;

import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import java.util.Map;

/** Server settings and server-side figures shared by the live-show scenarios. */
final class LiveSettings {
  private LiveSettings() {}

  /** Limits raised so the benchmark measures fan-out, not the rate limiters. */
  static Map<String, String> forBenchmarks() {
    return Map.of(
        "DROPCAST_WS_AUTH_TIMEOUT_MS", "600000",
        "DROPCAST_WS_REQUESTS_PER_SECOND", "100000",
        "DROPCAST_WS_REQUEST_BURST", "100000",
        "DROPCAST_CHAT_RATE_PER_SECOND", "1000",
        "DROPCAST_CHAT_RATE_BURST", "1000");
  }

  /** Adds messages per flush, read from the server's own counters. */
  static void serverFanoutFigures(ServerProcess server, ScenarioResult result) {
    Map<String, Double> m = metricsOrEmpty(server, result);
    double writes = m.getOrDefault("dropcast_live_event_writes_total", 0.0) + m.getOrDefault("dropcast_media_frame_writes_total", 0.0);
    double flushes = m.getOrDefault("dropcast_live_flushes_total", 0.0);
    result.figure("server: frames written", writes)
        .figure("server: flushes", flushes)
        .figure("server: messages per flush", flushes == 0 ? 0.0 : writes / flushes)
        .figure("server: slow viewers closed", m.getOrDefault("dropcast_live_slow_closes_total", 0.0));
  }

  /** Adds the server's media counters: frames received, written, dropped for slow viewers. */
  static void serverMediaFigures(ServerProcess server, ScenarioResult result) {
    Map<String, Double> m = metricsOrEmpty(server, result);
    result.figure("server: media frames received", m.getOrDefault("dropcast_media_frames_received_total", 0.0))
        .figure("server: media frames written", m.getOrDefault("dropcast_media_frame_writes_total", 0.0))
        .figure("server: media frames dropped (slow viewers)", m.getOrDefault("dropcast_media_frames_dropped_total", 0.0));
    serverFanoutFigures(server, result);
  }

  /** An overloaded server may not answer /metrics in time: the run's own figures still count. */
  private static Map<String, Double> metricsOrEmpty(ServerProcess server, ScenarioResult result) {
    try {
      return server.metrics();
    } catch (Exception e) {
      result.figure("server metrics unavailable", e.toString());
      return Map.of();
    }
  }
}
