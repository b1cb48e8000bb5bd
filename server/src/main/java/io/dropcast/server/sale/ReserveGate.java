package io.dropcast.server.sale;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Admission control for reservations on this node: at most {@code maxInFlight} reserve operations
 * (each one or more store round trips) run at once; the next {@code maxWaiting} wait in arrival
 * order and start as earlier ones finish; beyond that a request fails at once with
 * {@link ErrorCode#UNAVAILABLE} before anything was done, so the buyer may simply retry.
 *
 * <p>Why: in a rush every buyer's request arrives within milliseconds. Unbounded, they would all put
 * their Redis commands in the one pipelined connection at once, and the last ones would wait there
 * longer than the command timeout: the buyer is told UNAVAILABLE although Redis may still run the
 * reservation. Waiting here instead has no timeout and leaves the outcome certain.
 *
 * <p>Thread-safe: called from any event loop; a waiting operation starts on its caller's context.
 */
final class ReserveGate {
  private final Vertx vertx;
  private final int maxInFlight;
  private final int maxWaiting;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger waitingCount = new AtomicInteger();
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  ReserveGate(Vertx vertx, int maxInFlight, int maxWaiting) {
    this.vertx = vertx;
    this.maxInFlight = maxInFlight;
    this.maxWaiting = maxWaiting;
  }

  /** Runs {@code operation} now or once a slot frees; @return its outcome */
  <T> Future<T> submit(Supplier<Future<T>> operation) {
    if (tryAcquire()) {
      return run(operation);
    }
    if (waitingCount.incrementAndGet() > maxWaiting) {
      waitingCount.decrementAndGet();
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
          "too many reservations in progress on this server; retry"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    waiting.add(() -> context.runOnContext(v -> run(operation).onComplete(result)));
    startWaiting();
    return result.future();
  }

  private <T> Future<T> run(Supplier<Future<T>> operation) {
    Future<T> future;
    try {
      future = operation.get();
    } catch (RuntimeException e) {
      future = Future.failedFuture(e);
    }
    return future.onComplete(ar -> {
      inFlight.decrementAndGet();
      startWaiting();
    });
  }

  /** Starts waiting operations while slots are free (any thread). */
  private void startWaiting() {
    while (!waiting.isEmpty() && tryAcquire()) {
      Runnable next = waiting.poll();
      if (next == null) {
        inFlight.decrementAndGet(); // another thread took it; give the slot back and look again
        continue;
      }
      waitingCount.decrementAndGet();
      next.run();
    }
  }

  private boolean tryAcquire() {
    while (true) {
      int n = inFlight.get();
      if (n >= maxInFlight) {
        return false;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }
}
