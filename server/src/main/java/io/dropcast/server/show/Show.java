package io.dropcast.server.show;

import io.dropcast.server.store.Entity;
import java.time.Instant;
import java.util.List;

/**
 * A live show of a brand: metadata and lifecycle state. Immutable.
 *
 * @param id {@code shw_…}
 * @param brandId owning brand
 * @param title title
 * @param scheduledStart planned start
 * @param hostUserId the user id of the host (their token's subject)
 * @param lineup product ids that may be pinned in this show
 * @param sponsored paid-partnership disclosure: clients must label the show as sponsored
 * @param guestsAllowed whether viewers without a token may watch
 * @param state lifecycle state
 * @param startedAt when the host went live; null before
 * @param endedAt when the show ended; null before
 * @param createdAt creation time
 * @param updatedAt last change
 * @param hostCostMinor what the host (influencer) cost the brand, in minor units of the show's sales
 *     currency, for the host's ROI in the analytics; null when not set
 */
public record Show(String id, String brandId, String title, Instant scheduledStart, String hostUserId,
                   List<String> lineup, boolean sponsored, boolean guestsAllowed, State state,
                   Instant startedAt, Instant endedAt, Instant createdAt, Instant updatedAt, Long hostCostMinor)
    implements Entity {

  public Show {
    lineup = List.copyOf(lineup);
  }

  /** A show without a host cost. */
  public Show(String id, String brandId, String title, Instant scheduledStart, String hostUserId,
              List<String> lineup, boolean sponsored, boolean guestsAllowed, State state,
              Instant startedAt, Instant endedAt, Instant createdAt, Instant updatedAt) {
    this(id, brandId, title, scheduledStart, hostUserId, lineup, sponsored, guestsAllowed, state, startedAt, endedAt,
        createdAt, updatedAt, null);
  }

  /** Lifecycle: scheduled → live → ended; never backwards. */
  public enum State {
    SCHEDULED, LIVE, ENDED;

    /** @return the lower-case wire name */
    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** @return a copy in another state, stamping startedAt/endedAt */
  public Show withState(State next, Instant now) {
    return new Show(id, brandId, title, scheduledStart, hostUserId, lineup, sponsored, guestsAllowed, next,
        next == State.LIVE ? now : startedAt, next == State.ENDED ? now : endedAt, createdAt, now, hostCostMinor);
  }

  /** @return a copy with another host cost (null clears it) */
  public Show withHostCost(Long costMinor, Instant now) {
    return new Show(id, brandId, title, scheduledStart, hostUserId, lineup, sponsored, guestsAllowed, state,
        startedAt, endedAt, createdAt, now, costMinor);
  }
}
