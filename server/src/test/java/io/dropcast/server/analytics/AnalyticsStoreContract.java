package io.dropcast.server.analytics;

import static io.dropcast.server.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.analytics.AnalyticsDelta.Impression;
import io.dropcast.server.analytics.AnalyticsDelta.OrderMade;
import io.dropcast.server.analytics.AnalyticsDelta.ReservationMade;
import io.dropcast.server.util.Ids;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link AnalyticsStore} must have (run against memory and a real Redis):
 * increments add up, ids dedupe per show across deltas and nodes, current viewers sum over live
 * nodes, peaks keep the maximum.
 */
abstract class AnalyticsStoreContract {
  static final long STALE = 5_000;
  static final long T0 = 1_900_000_000_000L;
  static final long MINUTE = T0 / 60_000;

  protected abstract AnalyticsStore store();

  static AnalyticsDelta delta(String show, String node, long now, long current, Map<String, Long> incr,
                              Set<String> viewers, Set<Impression> impressions, Set<Impression> clickers,
                              List<ReservationMade> reservations, List<OrderMade> orders) {
    return new AnalyticsDelta(show, node, now, now / 60_000, current, STALE, incr, viewers, impressions, clickers,
        reservations, orders);
  }

  static AnalyticsDelta viewersOnly(String show, String node, long now, long current, Set<String> viewers) {
    return delta(show, node, now, current, Map.of(), viewers, Set.of(), Set.of(), List.of(), List.of());
  }

  @Test
  void an_unknown_show_reads_as_all_zero() {
    AnalyticsStore.Totals t = await(store().read(Ids.newId("shw"), T0, STALE));
    assertThat(t.counters()).isEmpty();
    assertThat(t.current()).isZero();
    assertThat(t.currency()).isNull();
  }

  @Test
  void increments_from_several_deltas_add_up() {
    String show = Ids.newId("shw");
    await(store().apply(delta(show, "n1", T0, 0, Map.of("chatMessages", 3L, "m:" + MINUTE + ":chatMessages", 3L),
        Set.of(), Set.of(), Set.of(), List.of(), List.of())));
    await(store().apply(delta(show, "n2", T0, 0, Map.of("chatMessages", 4L, "reactions", 10L),
        Set.of(), Set.of(), Set.of(), List.of(), List.of())));
    AnalyticsStore.Totals t = await(store().read(show, T0, STALE));
    assertThat(t.get("chatMessages")).isEqualTo(7);
    assertThat(t.get("reactions")).isEqualTo(10);
    assertThat(t.get("m:" + MINUTE + ":chatMessages")).isEqualTo(3);
  }

  @Test
  void viewers_impressions_and_clickers_count_once_per_show_across_nodes() {
    String show = Ids.newId("shw");
    await(store().apply(delta(show, "n1", T0, 2, Map.of(), Set.of("u1", "u2"),
        Set.of(new Impression("p1", "u1")), Set.of(new Impression("p1", "u1")), List.of(), List.of())));
    await(store().apply(delta(show, "n2", T0, 1, Map.of(), Set.of("u2", "u3"),
        Set.of(new Impression("p1", "u1"), new Impression("p1", "u2"), new Impression("p2", "u1")),
        Set.of(new Impression("p1", "u1")), List.of(), List.of())));
    AnalyticsStore.Totals t = await(store().read(show, T0, STALE));
    assertThat(t.get("uniqueViewers")).isEqualTo(3);
    assertThat(t.get("m:" + MINUTE + ":newViewers")).isEqualTo(3);
    assertThat(t.get("impressions")).isEqualTo(3);
    assertThat(t.get("p:p1:impressions")).isEqualTo(2);
    assertThat(t.get("p:p2:impressions")).isEqualTo(1);
    assertThat(t.get("clickers")).isEqualTo(1);
    // The same viewer in another show is new there.
    String other = Ids.newId("shw");
    await(store().apply(viewersOnly(other, "n1", T0, 1, Set.of("u1"))));
    assertThat(await(store().read(other, T0, STALE)).get("uniqueViewers")).isEqualTo(1);
  }

  @Test
  void reservations_and_orders_dedupe_by_id_and_buyers_by_user() {
    String show = Ids.newId("shw");
    ReservationMade r1 = new ReservationMade("rsv_1", "p1", 2);
    OrderMade o1 = new OrderMade("ord_1", "p1", "alice", 2, 3980, "EUR");
    OrderMade o2 = new OrderMade("ord_2", "p2", "alice", 1, 2900, "EUR");
    await(store().apply(delta(show, "n1", T0, 0, Map.of(), Set.of(), Set.of(), Set.of(), List.of(r1), List.of(o1))));
    // A replayed reservation and order (idempotent retries, or reported by another node) count once.
    await(store().apply(delta(show, "n2", T0, 0, Map.of(), Set.of(), Set.of(), Set.of(),
        List.of(r1, new ReservationMade("rsv_2", "p2", 1)), List.of(o1, o2))));
    AnalyticsStore.Totals t = await(store().read(show, T0, STALE));
    assertThat(t.get("reservations")).isEqualTo(2);
    assertThat(t.get("reservedUnits")).isEqualTo(3);
    assertThat(t.get("orders")).isEqualTo(2);
    assertThat(t.get("units")).isEqualTo(3);
    assertThat(t.get("revenueMinor")).isEqualTo(6880);
    assertThat(t.get("buyers")).isEqualTo(1);
    assertThat(t.get("p:p1:revenueMinor")).isEqualTo(3980);
    assertThat(t.get("p:p2:orders")).isEqualTo(1);
    assertThat(t.get("m:" + MINUTE + ":orders")).isEqualTo(2);
    assertThat(t.currency()).isEqualTo("EUR");
  }

  @Test
  void current_viewers_sum_over_live_nodes_and_peaks_keep_the_maximum() {
    String show = Ids.newId("shw");
    assertThat(await(store().apply(viewersOnly(show, "n1", T0, 4, Set.of())))).isEqualTo(4);
    assertThat(await(store().apply(viewersOnly(show, "n2", T0 + 100, 3, Set.of())))).isEqualTo(7);
    // n1's count is replaced, not added.
    assertThat(await(store().apply(viewersOnly(show, "n1", T0 + 200, 1, Set.of())))).isEqualTo(4);
    AnalyticsStore.Totals t = await(store().read(show, T0 + 300, STALE));
    assertThat(t.current()).isEqualTo(4);
    assertThat(t.get("peakViewers")).isEqualTo(7);
    assertThat(t.get("m:" + MINUTE + ":viewers")).isEqualTo(7);
    // A node that stopped reporting (it died) no longer counts once its count is stale.
    assertThat(await(store().read(show, T0 + 200 + STALE + 1, STALE)).current()).isEqualTo(0);
    assertThat(await(store().apply(viewersOnly(show, "n3", T0 + 200 + STALE + 1, 2, Set.of())))).isEqualTo(2);
    assertThat(await(store().read(show, T0 + 200 + STALE + 1, STALE)).get("peakViewers")).isEqualTo(7);
  }
}
