package io.dropcast.server.sale;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Units of a sale held for one buyer until {@code expiresAt}. Immutable snapshot.
 *
 * <p>The id embeds the sale id ({@code rsv_<sale suffix>_<random>}), so a reservation is found
 * from its id alone, in the sale's own Redis hash slot.
 *
 * @param id reservation id
 * @param saleId the sale
 * @param buyerId buyer user id
 * @param quantity units held
 * @param expiresAt when the hold lapses (stock returns)
 * @param state held, confirmed, released or expired
 * @param idempotencyKey the key the buyer reserved with; null for waitlist offers
 * @param orderId the order once confirmed; else null
 * @param createdAt when the hold was made
 */
public record Reservation(String id, String saleId, String buyerId, int quantity, Instant expiresAt, State state,
                          String idempotencyKey, String orderId, Instant createdAt) {
  /** What a buyer's idempotency key must match. */
  public static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,100}");
  /** {@link #IDEMPOTENCY_KEY} in words, for error messages. */
  public static final String IDEMPOTENCY_KEY_RULE = "1 to 100 visible ASCII characters, the same on every retry";
  private static final Pattern ID = Pattern.compile("rsv_([0-9A-Za-z]{16})_[0-9A-Za-z]{1,40}");

  /** Lifecycle: held → confirmed | released | expired. */
  public enum State {
    HELD, CONFIRMED, RELEASED, EXPIRED;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State fromWire(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /** @return the sale id a reservation id belongs to, or null when the id is malformed */
  public static String saleIdOf(String reservationId) {
    if (reservationId == null) {
      return null;
    }
    Matcher m = ID.matcher(reservationId);
    return m.matches() ? "sal_" + m.group(1) : null;
  }
}
