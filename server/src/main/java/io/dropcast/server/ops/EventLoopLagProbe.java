package io.dropcast.server.ops;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures event-loop lag: every {@code periodMs} it schedules a task on each event loop and
 * records how late the task ran. A healthy loop lags microseconds; milliseconds mean something is
 * blocking it or it is saturated.
 *
 * <p>Runs on the event loops themselves; the probe does no I/O.
 */
public final class EventLoopLagProbe implements AutoCloseable {
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

  public EventLoopLagProbe(VertxInternal vertx, Metrics metrics, long periodMs) {
    for (EventExecutor executor : vertx.eventLoopGroup()) {
      EventLoop loop = (EventLoop) executor;
      long periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMs);
      long[] due = {System.nanoTime() + periodNanos};
      tasks.add(loop.scheduleAtFixedRate(() -> {
        long now = System.nanoTime();
        metrics.eventLoopLag(Math.max(0, now - due[0]));
        due[0] = now + periodNanos;
      }, periodMs, periodMs, TimeUnit.MILLISECONDS));
    }
  }

  @Override
  public void close() {
    tasks.forEach(t -> t.cancel(false));
  }
}
