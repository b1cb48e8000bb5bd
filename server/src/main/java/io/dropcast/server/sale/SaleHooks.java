package io.dropcast.server.sale;

/**
 * Receives a brand's sale events for delivery outside the show (webhooks). Called on an event loop;
 * implementations must return at once and never block.
 */
@FunctionalInterface
public interface SaleHooks {
  /** A hook that drops everything. */
  SaleHooks NONE = (brandId, type, data) -> { };

  /**
   * @param brandId the brand the event belongs to
   * @param type {@code order.confirmed}, {@code reservation.expired}, {@code sale.started},
   *     {@code sale.sold_out} or {@code sale.ended}
   * @param data the JSON-serialisable payload
   */
  void emit(String brandId, String type, Object data);
}
