package io.dropcast.server.sale;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process {@link SaleStore} with the same semantics as {@link RedisSaleStore}: each sale's state
 * sits behind its own monitor, and every operation is one short critical section (a few map
 * operations), fine on an event loop. Time comes from the given clock. Thread-safe.
 */
public final class MemorySaleStore implements SaleStore {
  private final Clock clock;
  private final Map<String, SaleState> sales = new ConcurrentHashMap<>();
  private final Set<String> active = ConcurrentHashMap.newKeySet();

  public MemorySaleStore(Clock clock) {
    this.clock = clock;
  }

  /** One sale's mutable state; guarded by its own monitor. */
  private static final class SaleState {
    Sale sale;
    long allotted;
    long available;
    long held;
    long sold;
    long expired;
    long version;
    final Map<String, Reservation> reservations = new HashMap<>();
    final TreeMap<Long, Set<String>> holdsByExpiry = new TreeMap<>();
    final Map<String, Integer> buyers = new HashMap<>();
    final Map<String, String> idempotency = new HashMap<>();
    final ArrayDeque<String> waitlist = new ArrayDeque<>();
    final Map<String, Order> orders = new LinkedHashMap<>();
    final Set<String> claimed = new LinkedHashSet<>();
    List<Reservation> offers = new ArrayList<>();

    SaleState(Sale sale) {
      this.sale = sale;
      resetStock(sale.quantity());
    }

    void resetStock(long quantity) {
      allotted = quantity;
      available = quantity;
      held = 0;
      sold = 0;
      expired = 0;
      version++;
    }

    StockCounters counters() {
      return new StockCounters(allotted, available, held, sold, expired, version);
    }

    <T> SaleStore.Outcome<T> outcome(T value) {
      List<Reservation> made = offers;
      offers = new ArrayList<>();
      return new SaleStore.Outcome<>(value, counters(), made);
    }

    boolean windowOpen(Instant now) {
      return sale.state() != Sale.State.CANCELLED && !now.isBefore(sale.startsAt()) && now.isBefore(sale.endsAt());
    }

    void hold(Reservation r) {
      reservations.put(r.id(), r);
      holdsByExpiry.computeIfAbsent(r.expiresAt().toEpochMilli(), k -> new LinkedHashSet<>()).add(r.id());
      available -= r.quantity();
      held += r.quantity();
      version++;
      buyers.merge(r.buyerId(), r.quantity(), Integer::sum);
    }

    void unindex(Reservation r) {
      Set<String> at = holdsByExpiry.get(r.expiresAt().toEpochMilli());
      if (at != null) {
        at.remove(r.id());
        if (at.isEmpty()) {
          holdsByExpiry.remove(r.expiresAt().toEpochMilli());
        }
      }
    }

    Reservation giveBack(Reservation r, Reservation.State state, Instant now) {
      Reservation done = with(r, state, r.orderId());
      reservations.put(r.id(), done);
      unindex(r);
      held -= r.quantity();
      available += r.quantity();
      version++;
      buyers.merge(r.buyerId(), -r.quantity(), Integer::sum);
      if (state == Reservation.State.EXPIRED) {
        expired += r.quantity();
      }
      offerWaitlist(now);
      return done;
    }

    void offerWaitlist(Instant now) {
      if (!windowOpen(now)) {
        return;
      }
      while (available >= 1 && !waitlist.isEmpty()) {
        String buyer = waitlist.pollFirst();
        if (buyers.getOrDefault(buyer, 0) + 1 <= sale.perBuyerLimit()) {
          Reservation offer = new Reservation("rsv_" + sale.suffix() + "_w" + Ids.random(12), sale.id(), buyer, 1,
              now.plusSeconds(sale.holdSeconds()), Reservation.State.HELD, null, null, now);
          hold(offer);
          offers.add(offer);
        }
      }
    }
  }

  private static Reservation with(Reservation r, Reservation.State state, String orderId) {
    return new Reservation(r.id(), r.saleId(), r.buyerId(), r.quantity(), r.expiresAt(), state, r.idempotencyKey(),
        orderId, r.createdAt());
  }

  private static <T> Future<T> fail(ProtocolException e) {
    return Future.failedFuture(e);
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  @Override
  public Future<Sale> create(Sale sale) {
    Sale stored = sale.withState(Sale.State.SCHEDULED);
    if (sales.putIfAbsent(sale.id(), new SaleState(stored)) != null) {
      return fail(new ProtocolException(ErrorCode.CONFLICT, "sale " + sale.id() + " already exists"));
    }
    active.add(sale.id());
    return Future.succeededFuture(sale);
  }

  @Override
  public Future<Sale> get(String saleId) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return Future.succeededFuture(null);
    }
    synchronized (s) {
      return Future.succeededFuture(s.sale);
    }
  }

  @Override
  public Future<List<Sale>> listByBrand(String brandId) {
    List<Sale> result = new ArrayList<>();
    for (SaleState s : sales.values()) {
      synchronized (s) {
        if (s.sale.brandId().equals(brandId)) {
          result.add(s.sale);
        }
      }
    }
    result.sort(java.util.Comparator.comparing(Sale::createdAt).thenComparing(Sale::id));
    return Future.succeededFuture(result);
  }

  @Override
  public Future<Sale> updateBeforeStart(Sale sale) {
    SaleState s = sales.get(sale.id());
    if (s == null) {
      return fail(new ProtocolException(ErrorCode.NOT_FOUND, "sale " + sale.id() + " not found"));
    }
    synchronized (s) {
      String why = s.sale.state() == Sale.State.CANCELLED ? "cancelled"
          : !now().isBefore(s.sale.startsAt()) ? "started" : null;
      if (why != null) {
        return fail(new ProtocolException(ErrorCode.CONFLICT,
            "sale " + sale.id() + " is " + why + "; only a scheduled sale can be changed"));
      }
      s.sale = sale.withState(Sale.State.SCHEDULED);
      s.resetStock(sale.quantity());
      return Future.succeededFuture(sale);
    }
  }

  @Override
  public Future<Sale> cancel(String saleId) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return fail(new ProtocolException(ErrorCode.NOT_FOUND, "sale " + saleId + " not found"));
    }
    synchronized (s) {
      if (s.sale.state() != Sale.State.CANCELLED) {
        if (!now().isBefore(s.sale.endsAt())) {
          return fail(new ProtocolException(ErrorCode.CONFLICT, "sale " + saleId + " already ended"));
        }
        s.sale = s.sale.withState(Sale.State.CANCELLED);
        s.waitlist.clear();
      }
      return Future.succeededFuture(s.sale);
    }
  }

  @Override
  public Future<StockCounters> stock(String saleId) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return Future.succeededFuture(null);
    }
    synchronized (s) {
      return Future.succeededFuture(s.counters());
    }
  }

  @Override
  public Future<Outcome<Reservation>> reserve(String saleId, String buyerId, int quantity, String idempotencyKey) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return fail(SaleErrors.reserveFailure("NOT_FOUND", saleId, 0));
    }
    synchronized (s) {
      Instant now = now();
      String key = buyerId + "\u0000" + idempotencyKey;
      String prior = s.idempotency.get(key);
      if (prior != null) {
        return Future.succeededFuture(s.outcome(s.reservations.get(prior)));
      }
      Sale sale = s.sale;
      String status = sale.state() == Sale.State.CANCELLED ? "ENDED"
          : now.isBefore(sale.startsAt()) ? "NOT_STARTED"
          : !now.isBefore(sale.endsAt()) ? "ENDED"
          : s.buyers.getOrDefault(buyerId, 0) + quantity > sale.perBuyerLimit() ? "LIMIT_EXCEEDED"
          : s.available < quantity ? "SOLD_OUT" : "OK";
      if (!"OK".equals(status)) {
        return fail(SaleErrors.reserveFailure(status, saleId, sale.perBuyerLimit()));
      }
      Reservation r = new Reservation("rsv_" + sale.suffix() + "_" + Ids.random(16), saleId, buyerId, quantity,
          now.plusSeconds(sale.holdSeconds()), Reservation.State.HELD, idempotencyKey, null, now);
      s.hold(r);
      s.idempotency.put(key, r.id());
      return Future.succeededFuture(s.outcome(r));
    }
  }

  private SaleState saleOf(String reservationId) {
    String saleId = Reservation.saleIdOf(reservationId);
    return saleId == null ? null : sales.get(saleId);
  }

  @Override
  public Future<Outcome<Order>> confirm(String reservationId) {
    SaleState s = saleOf(reservationId);
    if (s == null) {
      return fail(SaleErrors.reservationFailure("NOT_FOUND", reservationId));
    }
    synchronized (s) {
      Instant now = now();
      Reservation r = s.reservations.get(reservationId);
      if (r == null) {
        return fail(SaleErrors.reservationFailure("NOT_FOUND", reservationId));
      }
      switch (r.state()) {
        case CONFIRMED:
          return Future.succeededFuture(s.outcome(s.orders.get(r.orderId())));
        case HELD:
          break;
        default:
          return fail(SaleErrors.reservationFailure("EXPIRED", reservationId));
      }
      if (!now.isBefore(r.expiresAt())) {
        return fail(SaleErrors.reservationFailure("EXPIRED", reservationId));
      }
      if (s.sale.state() == Sale.State.CANCELLED) {
        return fail(SaleErrors.reservationFailure("ENDED", reservationId));
      }
      Order order = SaleErrors.orderFor(s.sale, r, clock.instant());
      s.reservations.put(r.id(), with(r, Reservation.State.CONFIRMED, order.id()));
      s.unindex(r);
      s.held -= r.quantity();
      s.sold += r.quantity();
      s.version++;
      s.orders.put(order.id(), order);
      return Future.succeededFuture(s.outcome(order));
    }
  }

  @Override
  public Future<Outcome<Reservation>> release(String reservationId) {
    SaleState s = saleOf(reservationId);
    if (s == null) {
      return fail(SaleErrors.reservationFailure("NOT_FOUND", reservationId));
    }
    synchronized (s) {
      Instant now = now();
      Reservation r = s.reservations.get(reservationId);
      if (r == null) {
        return fail(SaleErrors.reservationFailure("NOT_FOUND", reservationId));
      }
      switch (r.state()) {
        case RELEASED:
          return Future.succeededFuture(s.outcome(r));
        case CONFIRMED:
          return fail(SaleErrors.reservationFailure("CONFLICT", reservationId));
        case EXPIRED:
          return fail(SaleErrors.reservationFailure("EXPIRED", reservationId));
        default:
          break;
      }
      if (!now.isBefore(r.expiresAt())) {
        return fail(SaleErrors.reservationFailure("EXPIRED", reservationId));
      }
      return Future.succeededFuture(s.outcome(s.giveBack(r, Reservation.State.RELEASED, now)));
    }
  }

  @Override
  public Future<Reservation> reservation(String reservationId) {
    SaleState s = saleOf(reservationId);
    if (s == null) {
      return Future.succeededFuture(null);
    }
    synchronized (s) {
      return Future.succeededFuture(s.reservations.get(reservationId));
    }
  }

  @Override
  public Future<Outcome<List<Reservation>>> sweep(String saleId, int max) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return Future.succeededFuture(new Outcome<>(List.of(), null, List.of()));
    }
    synchronized (s) {
      Instant now = now();
      List<Reservation> expired = new ArrayList<>();
      List<String> due = new ArrayList<>();
      for (Set<String> ids : s.holdsByExpiry.headMap(now.toEpochMilli(), true).values()) {
        for (String id : ids) {
          if (due.size() < max) {
            due.add(id);
          }
        }
      }
      for (String id : due) {
        expired.add(s.giveBack(s.reservations.get(id), Reservation.State.EXPIRED, now));
      }
      return Future.succeededFuture(s.outcome(expired));
    }
  }

  @Override
  public Future<Integer> joinWaitlist(String saleId, String buyerId) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return fail(SaleErrors.waitlistFailure("NOT_FOUND", saleId));
    }
    synchronized (s) {
      Instant now = now();
      Sale sale = s.sale;
      String status = sale.state() == Sale.State.CANCELLED ? "ENDED"
          : now.isBefore(sale.startsAt()) ? "NOT_STARTED"
          : !now.isBefore(sale.endsAt()) ? "ENDED"
          : s.available >= 1 ? "CONFLICT"
          : s.buyers.getOrDefault(buyerId, 0) + 1 > sale.perBuyerLimit() ? "LIMIT_EXCEEDED" : "OK";
      if (!"OK".equals(status)) {
        return fail(SaleErrors.waitlistFailure(status, saleId));
      }
      if (!s.waitlist.contains(buyerId)) {
        s.waitlist.addLast(buyerId);
      }
      int position = 1;
      for (String b : s.waitlist) {
        if (b.equals(buyerId)) {
          break;
        }
        position++;
      }
      return Future.succeededFuture(position);
    }
  }

  @Override
  public Future<List<Order>> orders(String saleId) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return Future.succeededFuture(List.of());
    }
    synchronized (s) {
      return Future.succeededFuture(List.copyOf(s.orders.values()));
    }
  }

  @Override
  public Future<List<String>> activeSaleIds() {
    return Future.succeededFuture(List.copyOf(active));
  }

  @Override
  public Future<Void> retire(String saleId) {
    active.remove(saleId);
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> claimEvent(String saleId, String event) {
    SaleState s = saleId == null ? null : sales.get(saleId);
    if (s == null) {
      return Future.succeededFuture(false);
    }
    synchronized (s) {
      return Future.succeededFuture(s.claimed.add(event));
    }
  }
}
