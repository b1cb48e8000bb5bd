package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsFields.*;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.message.Event;
import io.dropcast.protocol.message.Request;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.gateway.SocketGateway;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.live.ShowActivity;
import io.dropcast.server.live.ShowEvents;
import io.dropcast.server.sale.Order;
import io.dropcast.server.sale.Reservation;
import io.dropcast.server.sale.Sale;
import io.dropcast.server.sale.SaleActivity;
import io.dropcast.server.sale.StockCounters;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.Stores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytics runtime of one node: counts what happens in shows ({@link ShowActivity} from the
 * show rooms, {@link SaleActivity} from the sale service, the {@code share} and {@code click} socket
 * ops), flushes the counts to the {@link AnalyticsStore} every {@code analytics.flush-ms}, pushes
 * {@code analytics.live} to the hosts and moderators in a show every {@code analytics.live-stats-ms},
 * and publishes the viewers' social proof ({@code product.bought}, {@code purchase}; coalesced).
 *
 * <p>Cost on the hot path: a room's join/leave/chat/reaction/pin adds to its show's
 * {@link ShowCounters} (a few map operations under a per-show lock that only the room's loop and
 * the flush timer take). Nothing runs per delivered event or media frame. Store writes happen only
 * in the flush, one atomic script per show per node per interval.
 *
 * <p>Thread-safe. Per-node state: counters per show touched here (kept while the node runs, like
 * the show rooms), memberships of this node's connections (for the ops) and the hosts' and
 * moderators' connections per show (for the push). Buffered counts of a node that dies before
 * its next flush are lost; a flush that fails is retried with the next one.
 */
public final class AnalyticsService implements ShowActivity, SaleActivity {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyticsService.class);
  static final String SHARE = "share";
  static final String CLICK = "click";
  static final String LIVE_EVENT = "analytics.live";
  static final String BOUGHT_EVENT = "product.bought";
  static final String PURCHASE_EVENT = "purchase";
  private static final int MAX_ID = 128;
  private static final int MAX_CHANNEL = 32;

  private final Vertx vertx;
  private final AnalyticsStore store;
  private final Stores stores;
  private final ShowEvents events;
  private final Clock clock;
  private final String node;
  private final long flushMs;
  private final long liveStatsMs;
  private final Map<String, ShowCounters> counters = new ConcurrentHashMap<>();
  /** This node's connections in a show (any role), for the ops. */
  private final Map<ClientConnection, Member> members = new ConcurrentHashMap<>();
  /** Show → this node's connections of its host and moderators, for the live push. */
  private final Map<String, Set<ClientConnection>> staff = new ConcurrentHashMap<>();
  private final Counter flushesOk;
  private final Counter flushesFailed;
  private final Counter livePushes;
  private volatile boolean flushing;
  private long flushTimer = -1;
  private long pushTimer = -1;

  /** One connection's membership as the analytics see it. */
  private record Member(Show show, Identity who) {}

  public AnalyticsService(Vertx vertx, AnalyticsStore store, Stores stores, ShowEvents events, Clock clock,
                          String node, long flushMs, long liveStatsMs, MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.stores = stores;
    this.events = events;
    this.clock = clock;
    this.node = node;
    this.flushMs = flushMs;
    this.liveStatsMs = liveStatsMs;
    // Operator metrics: no show, product or user labels (their number would grow without bound).
    flushesOk = Counter.builder("dropcast_analytics_flushes").tag("outcome", "ok")
        .description("Show analytics deltas this node applied to the store").register(registry);
    flushesFailed = Counter.builder("dropcast_analytics_flushes").tag("outcome", "failed")
        .description("Show analytics deltas this node applied to the store").register(registry);
    livePushes = Counter.builder("dropcast_analytics_live_pushes")
        .description("analytics.live events sent to hosts and moderators").register(registry);
    Gauge.builder("dropcast_analytics_shows", counters, Map::size)
        .description("Shows this node keeps analytics counters for").register(registry);
  }

  /** @return the store the counts add up in */
  public AnalyticsStore store() {
    return store;
  }

  /** @return how long another node's current-viewer count stays valid without a refresh (ms) */
  long staleMs() {
    return 3 * flushMs + 2000;
  }

  /** Registers {@code share} and {@code click}; call before the server starts. */
  public void register(SocketGateway gateway) {
    gateway.register(SHARE, SocketGateway.Access.AUTHENTICATED, this::share);
    gateway.register(CLICK, SocketGateway.Access.AUTHENTICATED, this::click);
  }

  /** Starts the flush and push timers. */
  public void start() {
    flushTimer = vertx.setPeriodic(flushMs, id -> flush());
    pushTimer = vertx.setPeriodic(liveStatsMs, id -> pushLiveStats());
  }

  /** Stops the timers and flushes what is buffered (best effort: the store may be closing). */
  public void stop() {
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
      vertx.cancelTimer(pushTimer);
    }
    flushing = false;
    flush();
  }

  private ShowCounters of(String showId) {
    return counters.computeIfAbsent(showId, ShowCounters::new);
  }

  private long minute() {
    return clock.millis() / 60_000;
  }

  // ------------------------------------------------------------------------------ ShowActivity

  @Override
  public void viewerJoined(Show show, Identity who, ClientConnection connection) {
    members.put(connection, new Member(show, who));
    if (ShowCounters.isAudience(who)) {
      of(show.id()).joined(connection, who.userId(), clock.millis());
    } else {
      staff.computeIfAbsent(show.id(), k -> ConcurrentHashMap.newKeySet()).add(connection);
    }
  }

  @Override
  public void viewerLeft(Show show, Identity who, ClientConnection connection) {
    members.computeIfPresent(connection, (c, m) -> m.show().id().equals(show.id()) ? null : m);
    if (ShowCounters.isAudience(who)) {
      of(show.id()).left(connection, clock.millis());
    } else {
      Set<ClientConnection> set = staff.get(show.id());
      if (set != null) {
        set.remove(connection);
      }
    }
  }

  @Override
  public void chatPosted(Show show, Identity who) {
    of(show.id()).add(CHAT, 1, minute());
  }

  @Override
  public void reacted(Show show, Identity who, long count) {
    of(show.id()).add(REACTIONS, count, minute());
  }

  @Override
  public void pinned(Show show, String productId) {
    of(show.id()).pinned(productId);
  }

  @Override
  public void unpinned(Show show, String productId) {
    of(show.id()).unpinned(productId);
  }

  // ------------------------------------------------------------------------------ SaleActivity

  @Override
  public void reserved(Sale sale, Reservation reservation, StockCounters stock) {
    if (sale.showId() != null) {
      of(sale.showId()).reserved(new AnalyticsDelta.ReservationMade(reservation.id(), sale.productId(),
          reservation.quantity()));
    }
  }

  @Override
  public void ordered(Sale sale, Order order, StockCounters stock, String publicName) {
    if (sale.showId() == null) {
      return;
    }
    of(sale.showId()).ordered(new AnalyticsDelta.OrderMade(order.id(), order.productId(), order.buyerId(),
        order.quantity(), order.totalMinor(), order.currency()));
    socialProof(sale, order, stock, publicName);
  }

  /**
   * Tells the show's viewers: the product's card now shows {@code bought} units sold (the sale's own
   * counter, so it is exact across nodes), and the ticker announces the purchase. Both coalesced.
   */
  private void socialProof(Sale sale, Order order, StockCounters stock, String publicName) {
    if (stock != null) {
      Map<String, Object> bought = new LinkedHashMap<>();
      bought.put("productId", sale.productId());
      bought.put("sale", sale.id());
      bought.put("bought", stock.sold());
      events.publishCoalesced(sale.showId(), "bought:" + sale.id(), BOUGHT_EVENT, bought);
    }
    stores.products().get(sale.productId()).otherwise(e -> null).onSuccess(product -> {
      Map<String, Object> ticker = new LinkedHashMap<>();
      ticker.put("productId", sale.productId());
      ticker.put("title", product == null ? null : product.title());
      ticker.put("quantity", order.quantity());
      ticker.put("buyer", publicName);
      events.publishCoalesced(sale.showId(), "purchase", PURCHASE_EVENT, ticker);
    });
  }

  // ------------------------------------------------------------------------------ ops

  private Member member(ClientConnection c, Request request) {
    if (request.show() == null) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'show' is required for " + request.op());
    }
    Member m = members.get(c);
    if (m == null || !m.show().id().equals(request.show())) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "you are not in show " + request.show() + "; join it first");
    }
    return m;
  }

  /** {@code share}: a client reports that its user shared the show (optional {@code channel}). */
  private Future<?> share(ClientConnection c, Request request) {
    Member m = member(c, request);
    JsonBody.of(request.data(), "channel").optionalText("channel", 1, MAX_CHANNEL, null);
    of(m.show().id()).add(SHARES, 1, minute());
    return Future.succeededFuture(Map.of("shared", true));
  }

  /** {@code click}: a viewer opened a product card of the show's lineup. */
  private Future<?> click(ClientConnection c, Request request) {
    Member m = member(c, request);
    String productId = JsonBody.of(request.data(), "productId").id("productId", MAX_ID, null);
    if (!m.show().lineup().contains(productId)) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "product " + productId + " is not in this show's lineup");
    }
    if (ShowCounters.isAudience(m.who())) {
      of(m.show().id()).click(productId, m.who().userId(), minute());
    }
    return Future.succeededFuture(Map.of("productId", productId));
  }

  // ------------------------------------------------------------------------------ flush and push

  /** Applies every show's buffered delta to the store; skipped while the previous flush runs. */
  void flush() {
    if (flushing) {
      return;
    }
    flushing = true;
    long now = clock.millis();
    List<Future<Long>> writes = new ArrayList<>();
    for (ShowCounters c : counters.values()) {
      AnalyticsDelta d = c.drain(node, now, staleMs());
      if (d == null) {
        continue;
      }
      Future<Long> write;
      try {
        write = store.apply(d);
      } catch (RuntimeException e) {
        write = Future.failedFuture(e);
      }
      writes.add(write.onSuccess(x -> flushesOk.increment()).onFailure(e -> {
        flushesFailed.increment();
        LOG.warn("analytics flush of show {} failed (retried with the next): {}", d.showId(), e.toString());
        c.restore(d);
      }));
    }
    Future.join(writes).onComplete(ar -> flushing = false);
  }

  /** Sends {@code analytics.live} to the hosts and moderators of every show that has some here. */
  private void pushLiveStats() {
    staff.forEach((showId, connections) -> {
      if (connections.isEmpty()) {
        return;
      }
      store.read(showId, clock.millis(), staleMs()).onSuccess(t -> {
        Event event = new Event(showId, 0, LIVE_EVENT, liveStats(t));
        for (ClientConnection c : connections) {
          livePushes.increment();
          c.context().runOnContext(v -> c.send(event));
        }
      }).onFailure(e -> LOG.debug("live stats of show {} not read: {}", showId, e.toString()));
    });
  }

  static Map<String, Object> liveStats(AnalyticsStore.Totals t) {
    Map<String, Object> viewers = new LinkedHashMap<>();
    viewers.put("current", t.current());
    viewers.put("peak", t.get(PEAK_VIEWERS));
    viewers.put("unique", t.get(UNIQUE_VIEWERS));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("viewers", viewers);
    data.put("chatMessages", t.get(CHAT));
    data.put("reactions", t.get(REACTIONS));
    data.put("shares", t.get(SHARES));
    data.put("clicks", t.get(CLICKS));
    data.put("orders", t.get(ORDERS));
    data.put("units", t.get(UNITS));
    data.put("revenueMinor", t.get(REVENUE));
    data.put("currency", t.currency());
    return data;
  }
}
