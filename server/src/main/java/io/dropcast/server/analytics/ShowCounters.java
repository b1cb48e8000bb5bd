package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsFields.*;

import io.dropcast.server.auth.Identity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this node counted for one show since the last flush, plus the little live state counting
 * needs (who of the audience is present here, which products are pinned here).
 *
 * <p>Threading: written mostly by the show room's loop (joins, chat, reactions, pins) and by
 * connection loops (share, click) and sale completions; drained by the flush timer. Every method
 * holds this object's monitor for a few map operations only, so the lock is short and almost never
 * contended; nothing here runs per delivered event or frame (fan-out never touches it).
 *
 * <p>Watch time is the integral of the audience size over time: each change of the audience (and
 * each flush) adds {@code present × elapsed}, so it is exact at millisecond resolution.
 */
final class ShowCounters {
  final String showId;

  // --- guarded by this ---
  /** Audience members present on this node, by membership (a connection), with their user id. */
  private final Map<Object, String> audience = new IdentityHashMap<>();
  private final Set<String> pinned = new HashSet<>();
  private long lastChangeMs;
  private long reportedCurrent;
  private Map<String, Long> incr = new HashMap<>();
  private Set<String> viewers = new HashSet<>();
  private Set<AnalyticsDelta.Impression> impressions = new HashSet<>();
  private Set<AnalyticsDelta.Impression> clickers = new HashSet<>();
  private List<AnalyticsDelta.ReservationMade> reservations = new ArrayList<>();
  private List<AnalyticsDelta.OrderMade> orders = new ArrayList<>();

  ShowCounters(String showId) {
    this.showId = showId;
  }

  /** @return whether this identity counts as audience (viewers and guests; not hosts or moderators) */
  static boolean isAudience(Identity who) {
    return who != null && !who.role().moderates();
  }

  synchronized void joined(Object membership, String userId, long nowMs) {
    accrue(nowMs);
    if (audience.put(membership, userId) == null) {
      viewers.add(userId);
      for (String p : pinned) {
        impressions.add(new AnalyticsDelta.Impression(p, userId));
      }
    }
  }

  synchronized void left(Object membership, long nowMs) {
    accrue(nowMs);
    audience.remove(membership);
  }

  synchronized void pinned(String productId) {
    if (pinned.add(productId)) {
      for (String userId : audience.values()) {
        impressions.add(new AnalyticsDelta.Impression(productId, userId));
      }
    }
  }

  synchronized void unpinned(String productId) {
    pinned.remove(productId);
  }

  synchronized void add(String field, long n, long minute) {
    incr.merge(field, n, Long::sum);
    incr.merge(AnalyticsFields.minute(minute, field), n, Long::sum);
  }

  synchronized void click(String productId, String userId, long minute) {
    add(CLICKS, 1, minute);
    incr.merge(product(productId, CLICKS), 1L, Long::sum);
    clickers.add(new AnalyticsDelta.Impression(productId, userId));
  }

  synchronized void reserved(AnalyticsDelta.ReservationMade r) {
    reservations.add(r);
  }

  synchronized void ordered(AnalyticsDelta.OrderMade o) {
    orders.add(o);
  }

  /** @return the audience present on this node now */
  synchronized int present() {
    return audience.size();
  }

  private void accrue(long nowMs) {
    if (lastChangeMs > 0 && nowMs > lastChangeMs && !audience.isEmpty()) {
      long ms = (nowMs - lastChangeMs) * audience.size();
      incr.merge(WATCH_MS, ms, Long::sum);
      incr.merge(AnalyticsFields.minute(nowMs / 60_000, WATCH_MS), ms, Long::sum);
    }
    lastChangeMs = nowMs;
  }

  /**
   * Takes what was counted since the last drain.
   *
   * @return the delta, or null when there is nothing to tell (nothing counted, nobody present, and
   *     the last reported count was already 0)
   */
  synchronized AnalyticsDelta drain(String node, long nowMs, long staleMs) {
    accrue(nowMs);
    AnalyticsDelta d = new AnalyticsDelta(showId, node, nowMs, nowMs / 60_000, audience.size(), staleMs,
        incr, viewers, impressions, clickers, reservations, orders);
    if (d.countsNothing() && audience.isEmpty() && reportedCurrent == 0) {
      return null;
    }
    reportedCurrent = audience.size();
    incr = new HashMap<>();
    viewers = new HashSet<>();
    impressions = new HashSet<>();
    clickers = new HashSet<>();
    reservations = new ArrayList<>();
    orders = new ArrayList<>();
    return d;
  }

  /** Puts a delta that could not be applied back, to go with the next flush (counters only; ids dedupe). */
  synchronized void restore(AnalyticsDelta d) {
    d.incr().forEach((f, n) -> incr.merge(f, n, Long::sum));
    viewers.addAll(d.viewers());
    impressions.addAll(d.impressions());
    clickers.addAll(d.clickers());
    reservations.addAll(0, d.reservations());
    orders.addAll(0, d.orders());
    reportedCurrent = -1; // report again even when nobody is present
  }

  /** @return true when this object holds nothing worth keeping (nobody present, nothing pinned or pending) */
  synchronized boolean idle() {
    return audience.isEmpty() && pinned.isEmpty() && incr.isEmpty() && viewers.isEmpty() && impressions.isEmpty() && clickers.isEmpty()
        && reservations.isEmpty() && orders.isEmpty() && reportedCurrent == 0;
  }
}
