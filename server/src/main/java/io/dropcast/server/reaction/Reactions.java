package io.dropcast.server.reaction;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reaction totals of one show (likes, hearts, …), pushed to viewers as coalesced totals.
 *
 * <p>Threading: confined to the show room's thread; not thread-safe. Bounded: only the kinds in
 * {@link #KINDS} are counted.
 */
public final class Reactions {
  /** The reaction kinds a client may send. */
  public static final List<String> KINDS = List.of("like", "heart", "fire", "clap", "wow", "laugh");

  private final int maxCount;
  private final Map<String, Long> totals = new LinkedHashMap<>();

  /** @param maxCount largest count one request may carry */
  public Reactions(int maxCount) {
    this.maxCount = maxCount;
  }

  /**
   * Adds reactions.
   *
   * @param count null for 1
   * @return how many were added
   * @throws ProtocolException BAD_REQUEST for an unknown kind or a count outside 1..max
   */
  public long add(Object kind, Object count) {
    if (!(kind instanceof String k) || !KINDS.contains(k)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'kind' must be one of " + KINDS);
    }
    long n = 1;
    if (count != null) {
      if (!(count instanceof Number num) || num.doubleValue() != num.longValue()
          || num.longValue() < 1 || num.longValue() > maxCount) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'count' must be a whole number from 1 to " + maxCount);
      }
      n = num.longValue();
    }
    totals.merge(k, n, Long::sum);
    return n;
  }

  /** Replaces the totals with the ones shared by all nodes (replication). */
  public void replace(Map<String, Long> shared) {
    totals.clear();
    for (String kind : KINDS) {
      Long n = shared.get(kind);
      if (n != null) {
        totals.put(kind, n);
      }
    }
  }

  /** @return a copy of the totals by kind */
  public Map<String, Long> totals() {
    return new LinkedHashMap<>(totals);
  }
}
