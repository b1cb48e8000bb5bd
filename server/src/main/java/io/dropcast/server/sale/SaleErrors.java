package io.dropcast.server.sale;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.util.Ids;
import java.time.Instant;

/**
 * The failure messages and order construction shared by both {@link SaleStore}s, so they answer
 * identically. Stateless.
 */
final class SaleErrors {
  private SaleErrors() {}

  static ProtocolException reserveFailure(String status, String saleId, int limit) {
    return switch (status) {
      case "NOT_FOUND" -> new ProtocolException(ErrorCode.NOT_FOUND, "sale " + saleId + " not found");
      case "NOT_STARTED" -> new ProtocolException(ErrorCode.NOT_STARTED, "sale " + saleId + " has not started yet");
      case "ENDED" -> new ProtocolException(ErrorCode.ENDED, "sale " + saleId + " has ended");
      case "LIMIT_EXCEEDED" -> new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
          "at most " + limit + " per buyer in this sale (held and bought)");
      case "SOLD_OUT" -> new ProtocolException(ErrorCode.SOLD_OUT, "sold out; you may join the waitlist");
      default -> new ProtocolException(ErrorCode.INTERNAL, "unexpected sale state " + status);
    };
  }

  static ProtocolException reservationFailure(String status, String reservationId) {
    return switch (status) {
      case "NOT_FOUND" -> new ProtocolException(ErrorCode.NOT_FOUND, "reservation " + reservationId + " not found");
      case "EXPIRED" -> new ProtocolException(ErrorCode.EXPIRED,
          "reservation " + reservationId + " expired or was released");
      case "ENDED" -> new ProtocolException(ErrorCode.ENDED, "the sale was cancelled");
      case "CONFLICT" -> new ProtocolException(ErrorCode.CONFLICT, "reservation " + reservationId + " is already confirmed");
      default -> new ProtocolException(ErrorCode.INTERNAL, "unexpected reservation state " + status);
    };
  }

  static ProtocolException waitlistFailure(String status, String saleId) {
    if ("CONFLICT".equals(status)) {
      return new ProtocolException(ErrorCode.CONFLICT, "stock is available: reserve instead");
    }
    if ("LIMIT_EXCEEDED".equals(status)) {
      return new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "you already hold or bought the most allowed per buyer");
    }
    return reserveFailure(status, saleId, 0);
  }

  static Order orderFor(Sale sale, Reservation r, Instant now) {
    if (sale == null) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "sale " + r.saleId() + " not found");
    }
    return new Order(Ids.newId("ord"), sale.brandId(), sale.showId(), sale.id(), sale.productId(), r.buyerId(),
        r.id(), r.quantity(), sale.priceMinor(), sale.priceMinor() * r.quantity(), sale.currency(), now);
  }
}
