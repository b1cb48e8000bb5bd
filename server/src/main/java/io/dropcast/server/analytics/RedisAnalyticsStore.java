package io.dropcast.server.analytics;

import io.dropcast.protocol.JsonCodec;
import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisScript;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link AnalyticsStore} in Redis (store=redis), shared by every node. Per show, all under the hash
 * tag {@code {showId}} so one script touches one slot:
 * <ul>
 *   <li>{@code dc:an:{show}:c} — hash of counters ({@link AnalyticsFields}) plus {@code @currency};
 *   <li>{@code dc:an:{show}:s} — set of seen ids, prefixed {@code v:} viewer, {@code i:} impression
 *       (product:user), {@code c:} clicker (product:user), {@code r:} reservation, {@code o:} order, {@code b:} buyer;
 *   <li>{@code dc:an:{show}:n} — hash node → {@code count:atMs}, this node's current viewers.
 * </ul>
 * A delta is applied by one Lua script (atomic: SADD decides whether an id is new, HINCRBY adds).
 * Keys have no expiry: a show's analytics stay for its final report.
 *
 * <p>Thread-safe; never blocks (Lettuce async through {@link RedisConnector}).
 */
public final class RedisAnalyticsStore implements AnalyticsStore {
  private static final String CURRENCY = "@currency";

  private static final RedisScript APPLY = new RedisScript("analytics-apply", """
      local c, seen, nodes = KEYS[1], KEYS[2], KEYS[3]
      local d = cjson.decode(ARGV[1])
      local m = 'm:' .. d.minute .. ':'
      for f, n in pairs(d.incr) do redis.call('HINCRBY', c, f, n) end
      for _, v in ipairs(d.viewers) do
        if redis.call('SADD', seen, 'v:' .. v) == 1 then
          redis.call('HINCRBY', c, 'uniqueViewers', 1)
          redis.call('HINCRBY', c, m .. 'newViewers', 1)
        end
      end
      for _, i in ipairs(d.impressions) do
        if redis.call('SADD', seen, 'i:' .. i.p .. ':' .. i.u) == 1 then
          redis.call('HINCRBY', c, 'impressions', 1)
          redis.call('HINCRBY', c, 'p:' .. i.p .. ':impressions', 1)
        end
      end
      for _, i in ipairs(d.clickers) do
        if redis.call('SADD', seen, 'c:' .. i.p .. ':' .. i.u) == 1 then
          redis.call('HINCRBY', c, 'clickers', 1)
          redis.call('HINCRBY', c, 'p:' .. i.p .. ':clickers', 1)
        end
      end
      for _, r in ipairs(d.reservations) do
        if redis.call('SADD', seen, 'r:' .. r.id) == 1 then
          redis.call('HINCRBY', c, 'reservations', 1)
          redis.call('HINCRBY', c, 'reservedUnits', r.n)
          redis.call('HINCRBY', c, 'p:' .. r.p .. ':reservations', 1)
          redis.call('HINCRBY', c, m .. 'reservations', 1)
        end
      end
      for _, o in ipairs(d.orders) do
        if redis.call('SADD', seen, 'o:' .. o.id) == 1 then
          redis.call('HINCRBY', c, 'orders', 1)
          redis.call('HINCRBY', c, 'units', o.n)
          redis.call('HINCRBY', c, 'revenueMinor', o.t)
          redis.call('HINCRBY', c, 'p:' .. o.p .. ':orders', 1)
          redis.call('HINCRBY', c, 'p:' .. o.p .. ':units', o.n)
          redis.call('HINCRBY', c, 'p:' .. o.p .. ':revenueMinor', o.t)
          redis.call('HINCRBY', c, m .. 'orders', 1)
          redis.call('HINCRBY', c, m .. 'revenueMinor', o.t)
          redis.call('HSET', c, '@currency', o.c)
          if redis.call('SADD', seen, 'b:' .. o.b) == 1 then
            redis.call('HINCRBY', c, 'buyers', 1)
          end
        end
      end
      local now, stale = tonumber(d.now), tonumber(d.stale)
      redis.call('HSET', nodes, d.node, d.current .. ':' .. d.now)
      local total = 0
      local all = redis.call('HGETALL', nodes)
      for i = 1, #all, 2 do
        local cnt, at = string.match(all[i + 1], '^(%d+):(%d+)$')
        if cnt and tonumber(at) >= now - stale then
          total = total + tonumber(cnt)
        else
          redis.call('HDEL', nodes, all[i])
        end
      end
      if total > tonumber(redis.call('HGET', c, 'peakViewers') or '0') then
        redis.call('HSET', c, 'peakViewers', total)
      end
      if total > tonumber(redis.call('HGET', c, m .. 'viewers') or '0') then
        redis.call('HSET', c, m .. 'viewers', total)
      end
      return tostring(total)
      """);

  private final RedisConnector redis;

  public RedisAnalyticsStore(RedisConnector redis) {
    this.redis = redis;
  }

  private static String key(String showId, String suffix) {
    return "dc:an:{" + showId + "}:" + suffix;
  }

  @Override
  public Future<Long> apply(AnalyticsDelta d) {
    // Every number goes as a string: cjson would turn it into a double.
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("node", d.node());
    json.put("now", Long.toString(d.nowMs()));
    json.put("minute", Long.toString(d.minute()));
    json.put("current", Long.toString(d.current()));
    json.put("stale", Long.toString(d.staleMs()));
    Map<String, String> incr = new LinkedHashMap<>();
    d.incr().forEach((f, n) -> incr.put(f, Long.toString(n)));
    json.put("incr", incr);
    json.put("viewers", d.viewers());
    List<Map<String, String>> impressions = new ArrayList<>();
    d.impressions().forEach(i -> impressions.add(Map.of("p", i.productId(), "u", i.userId())));
    json.put("impressions", impressions);
    List<Map<String, String>> clickers = new ArrayList<>();
    d.clickers().forEach(i -> clickers.add(Map.of("p", i.productId(), "u", i.userId())));
    json.put("clickers", clickers);
    List<Map<String, String>> reservations = new ArrayList<>();
    d.reservations().forEach(r -> reservations.add(Map.of("id", r.id(), "p", r.productId(), "n", Long.toString(r.units()))));
    json.put("reservations", reservations);
    List<Map<String, String>> orders = new ArrayList<>();
    d.orders().forEach(o -> orders.add(Map.of("id", o.id(), "p", o.productId(), "b", o.buyerId(),
        "n", Long.toString(o.units()), "t", Long.toString(o.totalMinor()), "c", o.currency())));
    json.put("orders", orders);
    String[] keys = {key(d.showId(), "c"), key(d.showId(), "s"), key(d.showId(), "n")};
    return APPLY.run(redis, keys, JsonCodec.encodeToString(json)).map(Long::parseLong);
  }

  @Override
  public Future<Totals> read(String showId, long nowMs, long staleMs) {
    Future<Map<String, String>> counters = redis.call(c -> c.hgetall(key(showId, "c")));
    Future<Map<String, String>> nodes = redis.call(c -> c.hgetall(key(showId, "n")));
    return Future.all(counters, nodes).map(all -> {
      Map<String, Long> values = new HashMap<>();
      String currency = null;
      for (Map.Entry<String, String> e : counters.result().entrySet()) {
        if (e.getKey().equals(CURRENCY)) {
          currency = e.getValue();
        } else {
          values.put(e.getKey(), Long.parseLong(e.getValue()));
        }
      }
      long current = 0;
      for (String v : nodes.result().values()) {
        int colon = v.indexOf(':');
        if (colon > 0 && Long.parseLong(v.substring(colon + 1)) >= nowMs - staleMs) {
          current += Long.parseLong(v.substring(0, colon));
        }
      }
      return new Totals(values, current, currency);
    });
  }
}
