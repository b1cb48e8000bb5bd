package io.dropcast.server.analytics;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one node counted for one show since its previous flush; applied to the
 * {@link AnalyticsStore} in one atomic step. Immutable (the collections are not copied: the
 * collector hands them over and never touches them again).
 *
 * @param showId the show
 * @param node the node that counted (its current-viewer count replaces this node's previous one)
 * @param nowMs the node's clock at the flush (epoch ms)
 * @param minute the epoch minute every series increment of this delta is filed under
 * @param current the node's audience in the show right now (viewers and guests; hosts and
 *     moderators are not audience)
 * @param staleMs another node's current-viewer count older than this is ignored (that node is gone)
 * @param incr counter increments by field ({@link AnalyticsFields}), added as they are
 * @param viewers audience user ids seen: each id counts once per show for unique viewers
 * @param impressions product-card impressions: each (product, user) pair counts once per show
 * @param clickers product-card clicks by (product, user): each pair counts once per show for
 *     {@code clickers} (the raw {@code clicks} are in {@code incr})
 * @param reservations reservations made: each id counts once per show
 * @param orders orders made: each id counts once per show; each buyer once for buyers
 */
public record AnalyticsDelta(String showId, String node, long nowMs, long minute, long current, long staleMs,
                             Map<String, Long> incr, Set<String> viewers, Set<Impression> impressions,
                             Set<Impression> clickers,
                             List<ReservationMade> reservations, List<OrderMade> orders) {

  /** One viewer saw one pinned product card. */
  public record Impression(String productId, String userId) {}

  /** A reservation of {@code units} of a product. */
  public record ReservationMade(String id, String productId, long units) {}

  /** An order of {@code units} of a product for {@code totalMinor} in {@code currency}. */
  public record OrderMade(String id, String productId, String buyerId, long units, long totalMinor, String currency) {}

  /** @return true when applying it would change nothing but the node's current-viewer count */
  public boolean countsNothing() {
    return incr.isEmpty() && viewers.isEmpty() && impressions.isEmpty() && clickers.isEmpty() && reservations.isEmpty() && orders.isEmpty();
  }
}
