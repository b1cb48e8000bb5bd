package io.dropcast.server.analytics;

import io.vertx.core.Future;
import java.util.Map;

/**
 * Where every node's show analytics add up. Two implementations with the same semantics
 * ({@link MemoryAnalyticsStore} for one node, {@link RedisAnalyticsStore} shared by all nodes),
 * checked by one contract test suite.
 *
 * <p>Semantics of {@link #apply}: atomic per delta. Plain increments are added; viewer ids,
 * impressions (product, user), reservation ids, order ids and buyer ids are deduplicated per show
 * across all deltas and nodes, and each new one increments its counters
 * ({@link AnalyticsFields}); an order's currency is remembered. The node's current-viewer count
 * replaces its previous one; the show's current viewers are the sum over nodes whose count is not
 * older than the delta's {@code staleMs}; {@code peakViewers} and the minute's {@code viewers} keep
 * the largest such sum.
 *
 * <p>Every method returns at once; futures complete on the caller's context (or any thread for
 * the memory store).
 */
public interface AnalyticsStore {

  /** Applies one node's delta for one show. @return the show's current viewers after it */
  Future<Long> apply(AnalyticsDelta delta);

  /**
   * Reads a show's counters.
   *
   * @param nowMs now, to leave out nodes whose current count went stale
   * @param staleMs see {@link AnalyticsDelta#staleMs()}
   */
  Future<Totals> read(String showId, long nowMs, long staleMs);

  /**
   * A show's stored analytics.
   *
   * @param counters every counter by field (missing = 0)
   * @param current viewers present now, summed over live nodes
   * @param currency the currency of its orders, or null before the first order
   */
  record Totals(Map<String, Long> counters, long current, String currency) {
    public long get(String field) {
      return counters.getOrDefault(field, 0L);
    }
  }
}
