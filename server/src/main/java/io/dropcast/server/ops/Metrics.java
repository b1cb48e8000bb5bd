package io.dropcast.server.ops;

import io.dropcast.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dropcast's operator metrics, exported in Prometheus format at {@code /metrics}.
 *
 * <p>Labels are bounded: socket ops are labelled only with registered op names (anything else is
 * {@code unknown}), errors only with {@link ErrorCode} names. Never add per-show or per-user labels.
 *
 * <p>Thread-safe; meters are cached, so recording on hot paths does not allocate.
 */
public final class Metrics {
  /** Label value for a successful request. */
  public static final String OK = "OK";

  private final PrometheusMeterRegistry registry;
  private final AtomicLong connections = new AtomicLong();
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> restErrors = new ConcurrentHashMap<>();
  private final Timer eventLoopLag;
  private final Counter replyOverflows;

  public Metrics() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Two Micrometer system meters fail `promtool check metrics` lint (process_cpu_time_ns_total:
    // abbreviated unit; system_cpu_count: _count suffix on a gauge). process_cpu_usage,
    // system_cpu_usage and jvm_* cover the same ground.
    registry.config().meterFilter(MeterFilter.deny(id ->
        id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("dropcast_ws_connections", connections, AtomicLong::doubleValue)
        .description("Open WebSocket connections on this node")
        .register(registry);
    replyOverflows = Counter.builder("dropcast_ws_reply_overflows")
        .description("Sockets closed with 4408 because a reply found more than live.max-queued-bytes queued")
        .register(registry);
    eventLoopLag = Timer.builder("dropcast_event_loop_lag")
        .description("Delay between when a probe task was due on an event loop and when it ran")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  /** @return the registry; features register their own meters here */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  /**
   * Counts a socket request by op and outcome.
   *
   * @param op a registered op name, or {@code unknown}
   * @param outcome {@link #OK} or an {@link ErrorCode} name
   */
  public void request(String op, String outcome) {
    requests.computeIfAbsent(op + '\u0000' + outcome, k -> Counter.builder("dropcast_ws_requests")
        .description("Socket requests by op and outcome (OK or error code)")
        .tag("op", op).tag("outcome", outcome).register(registry)).increment();
  }

  /** Counts a REST error reply by code. */
  public void restError(ErrorCode code) {
    restErrors.computeIfAbsent(code.name(), k -> Counter.builder("dropcast_rest_errors")
        .description("REST error replies by error code")
        .tag("code", k).register(registry)).increment();
  }

  /** Counts a socket closed because its client did not read its replies (4408). */
  public void replyOverflow() {
    replyOverflows.increment();
  }

  /** Records one event-loop lag sample. */
  public void eventLoopLag(long nanos) {
    eventLoopLag.record(nanos, TimeUnit.NANOSECONDS);
  }
}
