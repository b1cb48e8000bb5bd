package io.dropcast.server.sale;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.live.ShowEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flash-sale use cases shared by the REST API and the socket ops: brand-scoped lookups, stock
 * operations, and what follows them (show events, webhooks, waitlist offers). Also runs the per-node
 * ticker that expires lapsed holds and announces started/ended sales; every announcement is claimed
 * in the store first, so with several nodes exactly one publishes it.
 *
 * <p>Thread-safe; every method returns at once. The ticker runs on a Vert.x timer and only chains
 * futures (never blocks); a tick is skipped while the previous one is still running.
 */
public final class SaleService {
  private static final Logger LOG = LoggerFactory.getLogger(SaleService.class);
  private static final java.util.regex.Pattern SALE_ID = java.util.regex.Pattern.compile("sal_[0-9A-Za-z]{16}");

  private final Vertx vertx;
  /** Interval of the coalesced sale.stock event: at most one per sale per interval. */
  static final long STOCK_COALESCE_MS = 250;
  /**
   * A sale is indexed as active before its definition is written (see {@link RedisSaleStore#create}),
   * so a tick can find an active id with no sale behind it while the sale is being created. Only an id
   * missing for this long (a creation that failed half-way) is dropped from the ticker.
   */
  static final long MISSING_SALE_GRACE_MS = 60_000;
  /** Sales with a stock read scheduled (the coalescing of sale.stock). */
  private final java.util.Set<String> stockReadsPending = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final SaleStore sales;
  private final ShowEvents events;
  private final Clock clock;
  private final int sweepBatch;
  private volatile SaleHooks hooks = SaleHooks.NONE;
  private volatile SaleActivity activity = SaleActivity.NONE;
  private volatile Consumer<Reservation> offerListener = r -> { };
  /**
   * Per-node index of the sales that have not ended yet (by id): filled by this node's create /
   * update / cancel at once and by every tick (which reads each active sale), so a sale made on
   * another node appears here within one tick. Used by the join snapshot and comment-to-buy.
   */
  private final Map<String, Sale> current = new java.util.concurrent.ConcurrentHashMap<>();
  /** Live sales whose sale.started this node has told its own viewers about (forgotten with the sale). */
  private final java.util.Set<String> startedHere = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Active sale ids found without a sale, with when that was first seen. */
  private final Map<String, Long> missingSince = new java.util.concurrent.ConcurrentHashMap<>();
  private long timerId = -1;
  private volatile boolean ticking;
  /** Admission control of reserve requests on this node (see {@link ReserveGate}). */
  private final ReserveGate reserveGate;

  /**
   * @param reservesInFlight reserve requests this node runs against the store at once
   * @param reservesWaiting reserve requests that may wait for a turn; beyond it UNAVAILABLE at once
   */
  public SaleService(Vertx vertx, SaleStore sales, ShowEvents events, Clock clock, int sweepBatch,
                     int reservesInFlight, int reservesWaiting) {
    this.vertx = vertx;
    this.sales = sales;
    this.events = events;
    this.clock = clock;
    this.sweepBatch = sweepBatch;
    this.reserveGate = new ReserveGate(vertx, reservesInFlight, reservesWaiting);
  }

  /**
   * Runs a buyer's whole reserve request (lookups included) under this node's admission control: a
   * rush waits here, in arrival order, rather than in the store's connection (see {@link ReserveGate}).
   */
  public <T> Future<T> admitReserve(java.util.function.Supplier<Future<T>> request) {
    return reserveGate.submit(request);
  }

  /** @return the store behind this service */
  public SaleStore store() {
    return sales;
  }

  /** @return the service's clock */
  public Clock clock() {
    return clock;
  }

  /** Sets where brand events go (webhooks). */
  public void hooks(SaleHooks hooks) {
    this.hooks = hooks;
  }

  /** Sets who hears about reservations and orders made through this service (analytics). */
  public void activity(SaleActivity listener) {
    this.activity = listener;
  }

  /** Sets who hears about waitlist offers made on this node (the socket ops). */
  public void onOffer(Consumer<Reservation> listener) {
    this.offerListener = listener;
  }

  /** Starts the ticker (sweeper + schedule announcements). */
  public void start(long intervalMs) {
    timerId = vertx.setPeriodic(intervalMs, id -> tick());
  }

  /** Stops the ticker. */
  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  // ------------------------------------------------------------------------------------------ reads

  /** @return the brand's sale, or fails NOT_FOUND (also for another brand's sale) */
  public Future<Sale> saleOf(String brandId, String saleId) {
    return saleOf(brandId, saleId, false);
  }

  /**
   * @param recent answer from this node's last read when it has one ({@link SaleStore#getRecent}): for
   *     checks before a reservation, which itself detects a definition changed since
   * @return the brand's sale, or fails NOT_FOUND (also for another brand's sale)
   */
  public Future<Sale> saleOf(String brandId, String saleId, boolean recent) {
    if (saleId == null || !SALE_ID.matcher(saleId).matches()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "sale " + saleId + " not found"));
    }
    return (recent ? sales.getRecent(saleId) : sales.get(saleId)).compose(s -> s != null && s.brandId().equals(brandId) ? Future.succeededFuture(s)
        : Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "sale " + saleId + " not found")));
  }

  /** @return the brand's reservation, or fails NOT_FOUND (also for another brand's) */
  public Future<Reservation> reservationOf(String brandId, String reservationId) {
    return sales.reservation(reservationId).compose(r -> r == null ? Future.succeededFuture(null)
            : saleOf(brandId, r.saleId()).map(s -> r).recover(e -> e instanceof ProtocolException pe
                && pe.code() == ErrorCode.NOT_FOUND ? Future.succeededFuture(null) : Future.failedFuture(e)))
        .compose(r -> r != null ? Future.succeededFuture(r)
            : Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "reservation " + reservationId + " not found")));
  }

  /** @return the sale as JSON with its derived state and live counters */
  public Future<ObjectNode> view(Sale sale) {
    return sales.stock(sale.id()).map(stock -> {
      ObjectNode node = JsonCodec.mapper().valueToTree(sale.at(clock.instant()));
      if (stock != null) {
        node.put("remaining", stock.available());
        node.put("held", stock.held());
        node.put("sold", stock.sold());
        node.put("expired", stock.expired());
      }
      return node;
    });
  }

  /** @return the audit of a sale's counters */
  public Future<Map<String, Object>> audit(Sale sale) {
    return sales.stock(sale.id()).map(s -> {
      Map<String, Object> audit = new LinkedHashMap<>();
      audit.put("sale", sale.id());
      audit.put("allotted", s.allotted());
      audit.put("available", s.available());
      audit.put("held", s.held());
      audit.put("sold", s.sold());
      audit.put("expired", s.expired());
      audit.put("consistent", s.consistent());
      return audit;
    });
  }

  /** @return the brand's orders, optionally only those of one show, oldest first */
  public Future<List<Order>> orders(String brandId, String showId) {
    return sales.listByBrand(brandId).compose(list -> {
      List<Future<List<Order>>> reads = new ArrayList<>();
      for (Sale s : list) {
        if (showId == null || showId.equals(s.showId())) {
          reads.add(sales.orders(s.id()));
        }
      }
      return Future.all(reads).map(all -> {
        List<Order> result = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
          result.addAll(all.<List<Order>>resultAt(i));
        }
        result.sort(java.util.Comparator.comparing(Order::createdAt).thenComparing(Order::id));
        return result;
      });
    });
  }

  /**
   * @return the show's scheduled and live sales known to this node (see {@link #current}), by
   *     {@code startsAt}; never null
   */
  public List<Sale> showSales(String showId) {
    Instant now = clock.instant();
    List<Sale> result = new ArrayList<>();
    for (Sale s : current.values()) {
      Sale at = s.at(now);
      if (showId.equals(s.showId()) && (at.state() == Sale.State.SCHEDULED || at.state() == Sale.State.LIVE)) {
        result.add(at);
      }
    }
    result.sort(java.util.Comparator.comparing(Sale::startsAt).thenComparing(Sale::id));
    return result;
  }

  /**
   * @return the show's scheduled and live sales as viewers see them: each sale's fields with its
   *     derived {@code state}, its {@code remaining} stock and the units {@code sold} so far (read from the
   *     store), by {@code startsAt}
   */
  public Future<List<ObjectNode>> showSnapshot(String showId) {
    List<Sale> list = showSales(showId);
    if (list.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Future<StockCounters>> reads = list.stream().map(s -> sales.stock(s.id())).toList();
    return Future.all(reads).map(all -> {
      List<ObjectNode> views = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        StockCounters stock = all.resultAt(i);
        if (stock != null) {
          ObjectNode node = JsonCodec.mapper().valueToTree(list.get(i));
          node.put("remaining", stock.available());
          node.put("sold", stock.sold()); // the "N bought" of a late joiner's product card
          views.add(node);
        }
      }
      return views;
    });
  }

  // ----------------------------------------------------------------------------------- definitions

  /** Stores a validated sale and announces it to its show. */
  public Future<Sale> create(Sale sale) {
    return sales.create(sale).onSuccess(this::remember).onSuccess(this::announceScheduled);
  }

  /** Replaces a scheduled sale's definition (CONFLICT once started) and re-announces it. */
  public Future<Sale> update(Sale sale) {
    return sales.updateBeforeStart(sale).onSuccess(this::remember).onSuccess(this::announceScheduled);
  }

  /** Cancels a sale; its show hears {@code sale.ended} with reason {@code cancelled}. */
  public Future<Sale> cancel(Sale sale) {
    return sales.cancel(sale.id()).onSuccess(this::remember).onSuccess(s -> announceEnded(s, "cancelled"));
  }

  /** Keeps {@link #current} up to date with a sale just read or written. */
  private void remember(Sale sale) {
    Sale.State state = sale.at(clock.instant()).state();
    if (state == Sale.State.SCHEDULED || state == Sale.State.LIVE) {
      current.put(sale.id(), sale);
    } else {
      current.remove(sale.id());
    }
  }

  private void announceScheduled(Sale sale) {
    if (sale.showId() != null) {
      events.publish(sale.showId(), Events.SALE_SCHEDULED, Map.of("sale", JsonCodec.mapper().valueToTree(sale.at(clock.instant()))));
    }
  }

  // --------------------------------------------------------------------------------- stock changes

  /** Reserves for a buyer; see {@link SaleStore#reserve}. */
  public Future<Reservation> reserve(Sale sale, String buyerId, int quantity, String idempotencyKey) {
    return reserve(sale, buyerId, quantity, idempotencyKey, true);
  }

  /**
   * @param sale the definition the caller checked the buyer against (brand, show, bans); when it
   *     changed meanwhile on another node, the reservation is retried once in the current one if that
   *     has the same brand and show (so the checks still hold), else it fails CONFLICT
   */
  private Future<Reservation> reserve(Sale sale, String buyerId, int quantity, String idempotencyKey, boolean mayRetry) {
    return sales.reserve(sale, buyerId, quantity, idempotencyKey).map(out -> {
      afterStockChange(sale, out);
      activity.reserved(sale, out.value(), out.stock());
      return out.value();
    }).recover(e -> {
      if (!(e instanceof SaleStore.DefinitionChanged changed)) {
        return Future.failedFuture(e);
      }
      Sale now = changed.current();
      if (now == null) {
        return Future.failedFuture(SaleErrors.reserveFailure("NOT_FOUND", sale.id(), 0));
      }
      if (mayRetry && now.brandId().equals(sale.brandId()) && java.util.Objects.equals(now.showId(), sale.showId())) {
        return reserve(now, buyerId, quantity, idempotencyKey, false);
      }
      return Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT,
          "sale " + sale.id() + " changed while you reserved; reserve again"));
    });
  }

  /** Confirms a reservation into an order. */
  public Future<Order> confirm(Sale sale, Reservation reservation) {
    return confirm(sale, reservation, null);
  }

  /**
   * Confirms a reservation into an order.
   *
   * @param publicName the buyer's display name for the show's purchase ticker, when the buyer allowed
   *     it; null for "someone"
   */
  public Future<Order> confirm(Sale sale, Reservation reservation, String publicName) {
    return sales.confirm(reservation.id()).map(out -> {
      afterStockChange(sale, out);
      activity.ordered(sale, out.value(), out.stock(), publicName);
      hooks.emit(sale.brandId(), "order.confirmed", out.value());
      return out.value();
    });
  }

  /** Releases a reservation; its stock goes to the waitlist first. */
  public Future<Reservation> release(Sale sale, Reservation reservation) {
    return sales.release(reservation.id()).map(out -> {
      afterStockChange(sale, out);
      return out.value();
    });
  }

  /** Puts a buyer on the waitlist; @return the 1-based position */
  public Future<Integer> joinWaitlist(Sale sale, String buyerId) {
    return sales.joinWaitlist(sale.id(), buyerId);
  }

  /**
   * Publishes the sale's stock as read now, once per {@link #STOCK_COALESCE_MS} at most. Changes finish
   * on several event loops and in any order, so the value to send is read fresh after the burst rather
   * than taken from whichever change arrived last; a change during the read schedules another, so the
   * last value sent is the current one (the final 0 included).
   */
  private void publishStock(Sale sale) {
    stockReadsPending.remove(sale.id());
    sales.stock(sale.id()).onSuccess(stock -> {
      if (stock != null) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sale", sale.id());
        data.put("remaining", stock.available());
        data.put("quantity", stock.allotted());
        events.publish(sale.showId(), Events.SALE_STOCK, data);
      }
    }).onFailure(e -> {
      if (stockReadsPending.add(sale.id())) {
        vertx.setTimer(STOCK_COALESCE_MS, t -> publishStock(sale));
      }
    });
  }

  private void afterStockChange(Sale sale, SaleStore.Outcome<?> out) {
    StockCounters stock = out.stock();
    if (sale.showId() != null && stock != null && stockReadsPending.add(sale.id())) {
      vertx.setTimer(STOCK_COALESCE_MS, t -> publishStock(sale));
    }
    if (stock != null && stock.available() == 0) {
      sales.claimEvent(sale.id(), Events.SALE_SOLD_OUT).onSuccess(first -> {
        if (first) {
          if (sale.showId() != null) {
            events.publish(sale.showId(), Events.SALE_SOLD_OUT, Map.of("sale", sale.id()));
          }
          hooks.emit(sale.brandId(), "sale.sold_out", Map.of("sale", sale.id()));
        }
      });
    }
    for (Reservation offer : out.offers()) {
      offerListener.accept(offer);
    }
  }

  // ---------------------------------------------------------------------------------------- ticker

  /** One pass: announce started/ended sales, expire lapsed holds, retire finished sales. */
  Future<Void> tick() {
    if (ticking) {
      return Future.succeededFuture();
    }
    ticking = true;
    java.util.Set<String> known = new java.util.HashSet<>(current.keySet());
    return sales.activeSaleIds()
        .compose(ids -> {
          ids.forEach(known::remove);
          known.forEach(current::remove); // retired (possibly by another node) since we saw them
          known.forEach(startedHere::remove);
          missingSince.keySet().retainAll(new java.util.HashSet<>(ids));
          return Future.join(ids.stream().map(this::tickSale).toList());
        })
        .<Void>mapEmpty()
        .onFailure(e -> LOG.debug("sale tick failed: {}", e.getMessage()))
        .eventually(() -> {
          ticking = false;
          return Future.succeededFuture();
        });
  }

  private Future<Void> tickSale(String saleId) {
    return sales.get(saleId).compose(sale -> {
      if (sale == null) {
        long now = clock.millis();
        Long since = missingSince.putIfAbsent(saleId, now);
        if (since == null || now - since < MISSING_SALE_GRACE_MS) {
          return Future.succeededFuture(); // most likely being created right now: look again next tick
        }
        missingSince.remove(saleId);
        current.remove(saleId);
        startedHere.remove(saleId);
        return sales.retire(saleId);
      }
      missingSince.remove(saleId);
      remember(sale);
      Instant now = clock.instant();
      Sale.State state = sale.at(now).state();
      Future<Void> announced = Future.succeededFuture();
      if (state == Sale.State.LIVE && !startedHere.contains(saleId)) {
        // Every node's ticker notices the start; the event is published once for the whole cluster
        // (retried on the next tick until it succeeds), and the webhook goes to whoever wins the claim.
        announced = sales.stock(saleId).compose(stock -> announceStarted(sale, stock));
      } else if (state == Sale.State.ENDED) {
        announced = Future.succeededFuture().map(v -> {
          announceEnded(sale, "ended");
          return null;
        });
      }
      return announced.compose(v -> sales.sweep(saleId, sweepBatch)).compose(out -> {
        if (!out.value().isEmpty()) {
          afterStockChange(sale, out);
          for (Reservation r : out.value()) {
            hooks.emit(sale.brandId(), "reservation.expired", r);
          }
        }
        boolean over = state == Sale.State.ENDED || state == Sale.State.CANCELLED;
        return over && out.stock() != null && out.stock().held() == 0 ? sales.retire(saleId) : Future.succeededFuture();
      });
    });
  }

  /**
   * Tells the show's viewers (on every node) that the sale started, once, and sends the
   * {@code sale.started} webhook from the node that wins the cluster-wide claim.
   */
  private Future<Void> announceStarted(Sale sale, StockCounters stock) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("sale", sale.id());
    data.put("productId", sale.productId());
    data.put("endsAt", sale.endsAt());
    data.put("remaining", stock == null ? 0 : stock.available());
    Future<Void> told = sale.showId() == null ? Future.succeededFuture()
        : events.publishOnce(sale.showId(), Events.SALE_STARTED + ":" + sale.id(), Events.SALE_STARTED, data);
    return told.compose(v -> {
      startedHere.add(sale.id());
      return sales.claimEvent(sale.id(), Events.SALE_STARTED);
    }).map(first -> {
      if (first) {
        LOG.info("sale {} of show {} started with {} units", sale.id(), sale.showId(), data.get("remaining"));
        hooks.emit(sale.brandId(), "sale.started", data);
      }
      return null;
    });
  }

  private void announceEnded(Sale sale, String reason) {
    sales.claimEvent(sale.id(), Events.SALE_ENDED).compose(first -> !first ? Future.succeededFuture()
        : sales.stock(sale.id()).map(stock -> {
          Map<String, Object> data = new LinkedHashMap<>();
          data.put("sale", sale.id());
          data.put("reason", reason);
          data.put("sold", stock == null ? 0 : stock.sold());
          if (sale.showId() != null) {
            events.publish(sale.showId(), Events.SALE_ENDED, data);
          }
          hooks.emit(sale.brandId(), "sale.ended", data);
          return null;
        }));
  }
}
