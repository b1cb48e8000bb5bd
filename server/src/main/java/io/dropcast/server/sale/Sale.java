package io.dropcast.server.sale;

import com.fasterxml.jackson.annotation.JsonValue;
import io.dropcast.server.store.Entity;
import java.time.Instant;
import java.util.Locale;

/**
 * A flash sale of one product: a fixed quantity at a sale price within a time window. Immutable.
 *
 * <p>{@code state} as stored is {@link State#SCHEDULED} or {@link State#CANCELLED}; {@link #at(Instant)}
 * derives live/ended from the window.
 *
 * @param id {@code sal_} + 16 characters
 * @param brandId owning brand
 * @param productId the brand's product on sale
 * @param showId the show the sale belongs to; may be null
 * @param priceMinor sale price per unit in minor units
 * @param currency ISO 4217 code
 * @param quantity units allotted
 * @param startsAt window start (inclusive)
 * @param endsAt window end (exclusive)
 * @param perBuyerLimit most units one buyer may hold plus buy
 * @param holdSeconds how long a reservation holds stock before it expires
 * @param state see above
 * @param createdAt creation time
 * @param updatedAt last change of the definition
 */
public record Sale(String id, String brandId, String productId, String showId, long priceMinor, String currency,
                   int quantity, Instant startsAt, Instant endsAt, int perBuyerLimit, int holdSeconds, State state,
                   Instant createdAt, Instant updatedAt) implements Entity {
  /** Most units one sale may allot, and one reservation may hold. */
  public static final int MAX_QUANTITY = 1_000_000;
  /** Longest hold a brand may set. */
  public static final int MAX_HOLD_SECONDS = 3600;
  /** Longest buyer (user) id. */
  public static final int MAX_BUYER_ID = 128;

  /** Lifecycle. */
  public enum State {
    SCHEDULED, LIVE, ENDED, CANCELLED;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** @return a copy whose state is derived from the window at {@code now} (cancelled stays cancelled) */
  public Sale at(Instant now) {
    State derived = state == State.CANCELLED ? State.CANCELLED
        : now.isBefore(startsAt) ? State.SCHEDULED : now.isBefore(endsAt) ? State.LIVE : State.ENDED;
    return withState(derived);
  }

  /** @return a copy with another state */
  public Sale withState(State next) {
    return next == state ? this : new Sale(id, brandId, productId, showId, priceMinor, currency, quantity, startsAt,
        endsAt, perBuyerLimit, holdSeconds, next, createdAt, updatedAt);
  }

  /** @return the 16 characters after {@code sal_}, used in reservation ids */
  String suffix() {
    return id.substring(4);
  }
}
