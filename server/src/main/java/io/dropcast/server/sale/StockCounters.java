package io.dropcast.server.sale;

/**
 * A sale's stock counters, read atomically.
 *
 * @param allotted units put on sale
 * @param available units that can be reserved now
 * @param held units in live reservations
 * @param sold units in confirmed orders
 * @param expired units whose hold lapsed (cumulative; they went back to available)
 * @param version rises with every change to the counters (never goes down), so of two reads made on
 *     different nodes the one with the higher version is the newer
 */
public record StockCounters(long allotted, long available, long held, long sold, long expired, long version) {
  /** @return the audit invariant: available + held + sold == allotted, none negative */
  public boolean consistent() {
    return available >= 0 && held >= 0 && sold >= 0 && available + held + sold == allotted;
  }
}
