package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsFields.*;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@link AnalyticsStore} in this node's memory (store=memory): one map of counters and one set of
 * seen ids per show, kept while the node runs. Thread-safe: each show's state is guarded by its own
 * lock, held only for the few map updates of one delta.
 */
public final class MemoryAnalyticsStore implements AnalyticsStore {
  private final Map<String, ShowState> shows = new java.util.concurrent.ConcurrentHashMap<>();

  private static final class ShowState {
    final Map<String, Long> counters = new HashMap<>();
    final Set<String> seen = new HashSet<>();
    /** node → {count, atMs} */
    final Map<String, long[]> nodes = new HashMap<>();
    String currency;

    void add(String field, long n) {
      counters.merge(field, n, Long::sum);
    }

    void max(String field, long n) {
      counters.merge(field, n, Math::max);
    }

    long current(long nowMs, long staleMs) {
      long total = 0;
      for (var it = nodes.values().iterator(); it.hasNext(); ) {
        long[] e = it.next();
        if (e[1] >= nowMs - staleMs) {
          total += e[0];
        } else {
          it.remove();
        }
      }
      return total;
    }
  }

  @Override
  public Future<Long> apply(AnalyticsDelta d) {
    ShowState s = shows.computeIfAbsent(d.showId(), k -> new ShowState());
    long current;
    synchronized (s) {
      d.incr().forEach(s::add);
      for (String v : d.viewers()) {
        if (s.seen.add("v:" + v)) {
          s.add(UNIQUE_VIEWERS, 1);
          s.add(minute(d.minute(), NEW_VIEWERS), 1);
        }
      }
      for (AnalyticsDelta.Impression i : d.impressions()) {
        if (s.seen.add("i:" + i.productId() + ":" + i.userId())) {
          s.add(IMPRESSIONS, 1);
          s.add(product(i.productId(), IMPRESSIONS), 1);
        }
      }
      for (AnalyticsDelta.Impression i : d.clickers()) {
        if (s.seen.add("c:" + i.productId() + ":" + i.userId())) {
          s.add(CLICKERS, 1);
          s.add(product(i.productId(), CLICKERS), 1);
        }
      }
      for (AnalyticsDelta.ReservationMade r : d.reservations()) {
        if (s.seen.add("r:" + r.id())) {
          s.add(RESERVATIONS, 1);
          s.add(RESERVED_UNITS, r.units());
          s.add(product(r.productId(), RESERVATIONS), 1);
          s.add(minute(d.minute(), RESERVATIONS), 1);
        }
      }
      for (AnalyticsDelta.OrderMade o : d.orders()) {
        if (s.seen.add("o:" + o.id())) {
          s.add(ORDERS, 1);
          s.add(UNITS, o.units());
          s.add(REVENUE, o.totalMinor());
          s.add(product(o.productId(), ORDERS), 1);
          s.add(product(o.productId(), UNITS), o.units());
          s.add(product(o.productId(), REVENUE), o.totalMinor());
          s.add(minute(d.minute(), ORDERS), 1);
          s.add(minute(d.minute(), REVENUE), o.totalMinor());
          s.currency = o.currency();
          if (s.seen.add("b:" + o.buyerId())) {
            s.add(BUYERS, 1);
          }
        }
      }
      s.nodes.put(d.node(), new long[] {d.current(), d.nowMs()});
      current = s.current(d.nowMs(), d.staleMs());
      s.max(PEAK_VIEWERS, current);
      s.max(minute(d.minute(), VIEWERS), current);
    }
    return Future.succeededFuture(current);
  }

  @Override
  public Future<Totals> read(String showId, long nowMs, long staleMs) {
    ShowState s = shows.get(showId);
    if (s == null) {
      return Future.succeededFuture(new Totals(Map.of(), 0, null));
    }
    synchronized (s) {
      return Future.succeededFuture(new Totals(new HashMap<>(s.counters), s.current(nowMs, staleMs), s.currency));
    }
  }
}
