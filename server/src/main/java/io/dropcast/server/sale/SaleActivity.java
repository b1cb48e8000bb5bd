package io.dropcast.server.sale;

/**
 * Hears this node's successful stock operations, for features that count them (analytics, social
 * proof). Replays (the same reservation for a known idempotency key, the same order for a confirmed
 * reservation) are reported again: a listener that counts must deduplicate by id.
 *
 * <p>Called on the event loop that completed the operation; implementations return at once, never
 * block and never throw.
 */
public interface SaleActivity {
  /** Listens to nothing. */
  SaleActivity NONE = new SaleActivity() { };

  /** A reservation was made (or replayed). */
  default void reserved(Sale sale, Reservation reservation, StockCounters stock) { }

  /**
   * A reservation was confirmed into an order (or the order replayed).
   *
   * @param publicName the buyer's display name when the buyer allowed showing it, else null
   */
  default void ordered(Sale sale, Order order, StockCounters stock, String publicName) { }
}
