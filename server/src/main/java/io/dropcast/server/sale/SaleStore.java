package io.dropcast.server.sale;

import io.vertx.core.Future;
import java.util.List;

/**
 * Shared state of flash sales: definitions, stock counters, reservations, waitlists and orders.
 * Two implementations with identical semantics: {@link MemorySaleStore} (one node) and
 * {@link RedisSaleStore} (Lua scripts, Redis server time).
 *
 * <p>Every method returns at once; results complete on the caller's context. Every stock operation
 * is atomic per sale. Failures are {@link io.dropcast.protocol.ProtocolException}s with the codes
 * named below, or {@code UNAVAILABLE} when the backing store is unreachable (then nothing changed,
 * or the whole operation applied — never half). Time checks use the store's clock (Redis TIME).
 */
public interface SaleStore {

  /**
   * Result of a stock operation.
   *
   * @param value the operation's result
   * @param stock counters right after the operation
   * @param offers holds created for waitlisted buyers by stock this operation returned; never null
   */
  record Outcome<T>(T value, StockCounters stock, List<Reservation> offers) {}

  /** Stores a new sale with {@code available = quantity}; CONFLICT when the id exists. */
  Future<Sale> create(Sale sale);

  /** @return the sale (state SCHEDULED or CANCELLED as stored), or null */
  Future<Sale> get(String saleId);

  /**
   * Like {@link #get}, but may answer from what this node read last instead of asking a shared store,
   * so the result may miss a change made on another node (use it to check a buyer before
   * {@link #reserve(Sale, String, int, String)}, which detects exactly that).
   *
   * @return the sale, or null
   */
  default Future<Sale> getRecent(String saleId) {
    return get(saleId);
  }

  /** @return a brand's sales, oldest first */
  Future<List<Sale>> listByBrand(String brandId);

  /**
   * Replaces a sale's definition and resets its stock to the new quantity.
   * NOT_FOUND; CONFLICT when the sale has started (store clock) or is cancelled.
   */
  Future<Sale> updateBeforeStart(Sale sale);

  /** Cancels a sale (idempotent) and clears its waitlist. NOT_FOUND; CONFLICT when it already ended. */
  Future<Sale> cancel(String saleId);

  /** @return the counters, or null for an unknown sale */
  Future<StockCounters> stock(String saleId);

  /**
   * Atomically: NOT_FOUND; ENDED when cancelled or past the window; NOT_STARTED; the same
   * reservation again (in whatever state it is now) for a known {@code (buyer, idempotencyKey)};
   * LIMIT_EXCEEDED when held + bought + quantity exceeds the per-buyer limit; SOLD_OUT; else a new
   * hold until now + holdSeconds. Failures are not remembered under the idempotency key.
   */
  Future<Outcome<Reservation>> reserve(String saleId, String buyerId, int quantity, String idempotencyKey);

  /**
   * {@link #reserve(String, String, int, String)} in the sale as the caller checked the buyer against
   * it: when the stored definition is no longer {@code checked} (changed on another node since this
   * node read it), fails with {@link DefinitionChanged} and changes nothing. A store whose
   * definitions are always current (one node) may skip the check.
   */
  default Future<Outcome<Reservation>> reserve(Sale checked, String buyerId, int quantity, String idempotencyKey) {
    return reserve(checked.id(), buyerId, quantity, idempotencyKey);
  }

  /** The definition a caller checked is not the stored one any more; nothing was changed. */
  final class DefinitionChanged extends RuntimeException {
    private final transient Sale current;

    DefinitionChanged(Sale current) {
      super("the sale's definition changed", null, false, false);
      this.current = current;
    }

    /** @return the stored definition now, or null when the sale is gone */
    public Sale current() {
      return current;
    }
  }

  /**
   * Turns a held reservation into an order. The same order again when already confirmed;
   * EXPIRED when released, expired, or past its time (its stock then returns with the next
   * {@link #sweep}, which also offers it to the waitlist);
   * ENDED when the sale was cancelled; NOT_FOUND.
   */
  Future<Outcome<Order>> confirm(String reservationId);

  /**
   * Releases a held reservation, returning its stock (offered to the waitlist first). Idempotent
   * for a released one; EXPIRED when it expired or is past its time; CONFLICT when confirmed; NOT_FOUND.
   */
  Future<Outcome<Reservation>> release(String reservationId);

  /** @return the reservation, or null */
  Future<Reservation> reservation(String reservationId);

  /**
   * Expires up to {@code max} holds of a sale whose time has passed, returning their stock exactly
   * once even when several sweepers run at once.
   *
   * @return the reservations this call expired (possibly empty); null stock for an unknown sale
   */
  Future<Outcome<List<Reservation>>> sweep(String saleId, int max);

  /**
   * Puts a buyer on the sale's waitlist (idempotent). NOT_FOUND, NOT_STARTED, ENDED;
   * CONFLICT when stock is available (reserve instead); LIMIT_EXCEEDED when the buyer is at the limit.
   *
   * @return the buyer's 1-based position
   */
  Future<Integer> joinWaitlist(String saleId, String buyerId);

  /** @return the sale's orders, oldest first */
  Future<List<Order>> orders(String saleId);

  /** @return ids of sales that may still need sweeping or schedule events */
  Future<List<String>> activeSaleIds();

  /** Drops a sale from {@link #activeSaleIds()} (it ended and holds no stock). */
  Future<Void> retire(String saleId);

  /** @return true exactly once per (sale, event name) across all nodes: the caller publishes it */
  Future<Boolean> claimEvent(String saleId, String event);
}
