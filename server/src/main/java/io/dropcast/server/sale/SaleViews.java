package io.dropcast.server.sale;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wire shapes shared by REST and socket replies. Stateless. */
final class SaleViews {
  private SaleViews() {}

  /** @return {@code {reservation, sale, buyerId, quantity, expiresAt, state, orderId?}} */
  static Map<String, Object> reservation(Reservation r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reservation", r.id());
    m.put("sale", r.saleId());
    m.put("buyerId", r.buyerId());
    m.put("quantity", r.quantity());
    m.put("expiresAt", r.expiresAt());
    m.put("state", r.state());
    if (r.orderId() != null) {
      m.put("orderId", r.orderId());
    }
    return m;
  }
}
