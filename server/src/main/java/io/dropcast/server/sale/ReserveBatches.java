package io.dropcast.server.sale;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Group commit of reserve requests, per sale: while {@link #MAX_IN_FLIGHT} batches of a sale are at the
 * store, further requests for it queue here, and each returning batch sends what queued meanwhile (at
 * most {@link #MAX_BATCH}) as the next one. One request alone goes at once as a batch of one, so a
 * quiet sale pays no delay; in a rush the store sees a few large calls instead of one per buyer. The
 * store runs a batch's requests one after the other, each exactly as if it came alone, so batching
 * changes no outcome, only the number of round trips (and their fixed costs) per request.
 *
 * <p>Thread-safe: {@link #submit} may be called from any event loop; each result completes on its
 * caller's context. A batch is sent from the thread that completes the previous one. Bounded: at most
 * {@link #MAX_QUEUED} requests wait per sale (in practice far fewer: reserves pass {@link ReserveGate}
 * first); beyond that UNAVAILABLE at once, with nothing attempted. Idle sales hold no state.
 *
 * @param <R> one request's arguments (opaque here)
 */
final class ReserveBatches<R> {
  /** Most requests in one call to the store. */
  static final int MAX_BATCH = 64;
  /** Batches of one sale at the store at once (one can be parsed while the next runs). */
  static final int MAX_IN_FLIGHT = 2;
  /** Most requests waiting per sale. */
  static final int MAX_QUEUED = 100_000;

  private final Vertx vertx;
  /** Runs one batch of a sale: (sale id, requests) → one reply per request, in order. */
  private final BiFunction<String, List<R>, Future<List<JsonNode>>> store;
  private final Map<String, SaleQueue> sales = new ConcurrentHashMap<>();

  ReserveBatches(Vertx vertx, BiFunction<String, List<R>, Future<List<JsonNode>>> store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** @return the store's reply to this request, on the caller's context */
  Future<JsonNode> submit(String saleId, R request) {
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    Promise<JsonNode> reply = caller.promise();
    Pending<R> pending = new Pending<>(request, reply);
    while (true) {
      SaleQueue sale = sales.computeIfAbsent(saleId, SaleQueue::new);
      List<Pending<R>> batch;
      synchronized (sale) {
        if (sale.retired) {
          continue; // went idle and left the map between the lookup and the lock: take the current one
        }
        if (sale.queue.size() >= MAX_QUEUED) {
          return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
              "too many reservations waiting for sale " + saleId + "; retry"));
        }
        sale.queue.add(pending);
        batch = sale.inFlight < MAX_IN_FLIGHT ? sale.take() : null;
      }
      if (batch != null) {
        send(sale, batch);
      }
      return reply.future();
    }
  }

  private void send(SaleQueue sale, List<Pending<R>> batch) {
    List<R> requests = new ArrayList<>(batch.size());
    for (Pending<R> p : batch) {
      requests.add(p.request);
    }
    Future<List<JsonNode>> replies;
    try {
      replies = store.apply(sale.id, requests);
    } catch (RuntimeException e) {
      replies = Future.failedFuture(e);
    }
    replies.onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        if (ar.failed()) {
          batch.get(i).reply.tryFail(ar.cause());
        } else if (i < ar.result().size()) {
          batch.get(i).reply.tryComplete(ar.result().get(i));
        } else {
          batch.get(i).reply.tryFail(new ProtocolException(ErrorCode.INTERNAL, "the store answered fewer requests than sent"));
        }
      }
      List<Pending<R>> next;
      synchronized (sale) {
        sale.inFlight--;
        next = sale.queue.isEmpty() ? null : sale.take();
        if (next == null && sale.inFlight == 0) {
          sale.retired = true;
          sales.remove(sale.id, sale);
        }
      }
      if (next != null) {
        send(sale, next);
      }
    });
  }

  private record Pending<R>(R request, Promise<JsonNode> reply) {}

  /** One sale's queue; guarded by its own monitor. */
  private final class SaleQueue {
    final String id;
    final ArrayDeque<Pending<R>> queue = new ArrayDeque<>();
    int inFlight;
    /** Idle and removed from the map: a new request must use a fresh instance. */
    boolean retired;

    SaleQueue(String id) {
      this.id = id;
    }

    /** Takes the next batch and counts it in flight; caller holds the monitor. */
    List<Pending<R>> take() {
      int n = Math.min(MAX_BATCH, queue.size());
      List<Pending<R>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(queue.poll());
      }
      inFlight++;
      return batch;
    }
  }
}
