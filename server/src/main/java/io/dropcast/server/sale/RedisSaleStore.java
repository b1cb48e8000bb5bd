package io.dropcast.server.sale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisScript;
import io.dropcast.server.util.Ids;
import io.lettuce.core.KeyValue;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SaleStore} on Redis, standalone or Redis Cluster. All keys of one sale share the hash tag
 * {@code {sale:<id>}} (one hash slot, so every sale script runs unchanged on Redis Cluster):
 * <ul>
 *   <li>{@code def} hash: json, starts/ends (ms), limit, hold (s), cancelled</li>
 *   <li>{@code stock} hash: allotted, available, held, sold, expired, ver (+1 on every change)</li>
 *   <li>{@code r:<rid>} hash per reservation; {@code holds} sorted set rid → expiry ms</li>
 *   <li>{@code buyers} hash buyer → held + bought; {@code idem} hash buyer\0key → rid</li>
 *   <li>{@code wait} list + {@code waitset} set; {@code orders} hash + {@code orderlist} list; {@code ev} set</li>
 *   <li>{@code outbox} set: ids of confirmed orders not yet appended to {@code dc:orders}</li>
 * </ul>
 * plus {@code dc:sales:brand:<brand>} (sorted set) and {@code dc:sales:active} (set) as indexes,
 * each written with single-key commands. Every stock operation is one Lua script reading Redis
 * {@code TIME}, so all nodes agree on the window and on expiry.
 *
 * <p>Confirmed orders are appended exactly once to the stream {@code dc:orders}, which lives in
 * another slot than the sale, in per-slot steps: the confirm script puts the order id in the sale's
 * {@code outbox} (atomically with the order); then an append script in the stream's slot adds the
 * entry unless {@code {dc:orders}:appended} (hash order id → entry id; same slot as {@code dc:orders}
 * by its hash tag) already records it; then the id leaves the outbox. Any step may fail or the node may
 * die in between: the sweep on every tick retries what is left in the outbox, and a finished sale is
 * retired only once its outbox is empty. Thread-safe; never blocks.
 */
public final class RedisSaleStore implements SaleStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSaleStore.class);
  static final String ACTIVE = "dc:sales:active";
  static final String ORDER_STREAM = "dc:orders";
  /** Order id → stream entry id of every appended order; hash tag = the stream's whole name, so one slot. */
  static final String ORDER_STREAM_APPENDED = "{dc:orders}:appended";
  /** Most outbox entries one sweep forwards. */
  private static final int OUTBOX_BATCH = 100;

  /** Shared Lua: ARGV[1] key prefix, ARGV[2] id prefix for waitlist offers, ARGV[3] nonce. */
  private static final String PRELUDE = """
      local P = ARGV[1]
      local offers = {}
      local function now_ms()
        local t = redis.call('TIME')
        return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local function num(v) return tonumber(v or '0') or 0 end
      local function rsv(rid)
        local f = redis.call('HMGET', P .. 'r:' .. rid, 'buyer', 'qty', 'exp', 'state', 'key', 'order', 'created')
        if not f[1] then return nil end
        return {id = rid, buyer = f[1], qty = tonumber(f[2]), exp = tonumber(f[3]), state = f[4],
                key = f[5], order = f[6], created = tonumber(f[7])}
      end
      local function stock()
        local s = redis.call('HMGET', P .. 'stock', 'allotted', 'available', 'held', 'sold', 'expired', 'ver')
        return {allotted = num(s[1]), available = num(s[2]), held = num(s[3]), sold = num(s[4]), expired = num(s[5]),
                ver = num(s[6])}
      end
      local function bump() redis.call('HINCRBY', P .. 'stock', 'ver', 1) end
      local function hold(rid, buyer, qty, exp, key, now)
        redis.call('HSET', P .. 'r:' .. rid, 'buyer', buyer, 'qty', qty, 'exp', exp, 'state', 'held',
                   'key', key, 'order', '', 'created', now)
        redis.call('ZADD', P .. 'holds', exp, rid)
        redis.call('HINCRBY', P .. 'stock', 'available', -qty)
        redis.call('HINCRBY', P .. 'stock', 'held', qty)
        redis.call('HINCRBY', P .. 'buyers', buyer, qty)
        bump()
      end
      local function offer_waitlist(now)
        local d = redis.call('HMGET', P .. 'def', 'starts', 'ends', 'limit', 'hold', 'cancelled')
        if d[5] == '1' or now < tonumber(d[1]) or now >= tonumber(d[2]) then return end
        local n = 0
        while num(redis.call('HGET', P .. 'stock', 'available')) >= 1 do
          local buyer = redis.call('LPOP', P .. 'wait')
          if not buyer then break end
          redis.call('SREM', P .. 'waitset', buyer)
          if num(redis.call('HGET', P .. 'buyers', buyer)) + 1 <= tonumber(d[3]) then
            n = n + 1
            local rid = ARGV[2] .. ARGV[3] .. n
            hold(rid, buyer, 1, now + tonumber(d[4]) * 1000, '', now)
            offers[#offers + 1] = rsv(rid)
          end
        end
      end
      local function give_back(r, state, now)
        redis.call('HSET', P .. 'r:' .. r.id, 'state', state)
        redis.call('ZREM', P .. 'holds', r.id)
        redis.call('HINCRBY', P .. 'stock', 'held', -r.qty)
        redis.call('HINCRBY', P .. 'stock', 'available', r.qty)
        redis.call('HINCRBY', P .. 'buyers', r.buyer, -r.qty)
        if state == 'expired' then redis.call('HINCRBY', P .. 'stock', 'expired', r.qty) end
        bump()
        r.state = state
        offer_waitlist(now)
      end
      local function reply(status, extra)
        extra.status = status
        extra.stock = stock()
        if #offers > 0 then extra.offers = offers end
        return cjson.encode(extra)
      end
      """;

  private static RedisScript script(String name, String body) {
    return new RedisScript("sale-" + name, PRELUDE + body);
  }

  /** ARGV[4] json, 5 starts, 6 ends, 7 limit, 8 hold, 9 quantity. */
  private static final RedisScript CREATE = script("create", """
      if redis.call('EXISTS', P .. 'def') == 1 then return reply('EXISTS', {}) end
      redis.call('HSET', P .. 'def', 'json', ARGV[4], 'starts', ARGV[5], 'ends', ARGV[6], 'limit', ARGV[7],
                 'hold', ARGV[8], 'cancelled', '0', 'rev', 1)
      redis.call('HSET', P .. 'stock', 'allotted', ARGV[9], 'available', ARGV[9], 'held', 0, 'sold', 0, 'expired', 0)
      bump()
      return reply('OK', {})
      """);

  /** Same arguments as CREATE. */
  private static final RedisScript UPDATE = script("update", """
      if redis.call('EXISTS', P .. 'def') == 0 then return reply('NOT_FOUND', {}) end
      local d = redis.call('HMGET', P .. 'def', 'starts', 'cancelled')
      if d[2] == '1' then return reply('CONFLICT', {why = 'cancelled'}) end
      if now_ms() >= tonumber(d[1]) then return reply('CONFLICT', {why = 'started'}) end
      redis.call('HSET', P .. 'def', 'json', ARGV[4], 'starts', ARGV[5], 'ends', ARGV[6], 'limit', ARGV[7], 'hold', ARGV[8])
      redis.call('HINCRBY', P .. 'def', 'rev', 1)
      redis.call('HSET', P .. 'stock', 'allotted', ARGV[9], 'available', ARGV[9], 'held', 0, 'sold', 0, 'expired', 0)
      bump()
      return reply('OK', {})
      """);

  private static final RedisScript CANCEL = script("cancel", """
      if redis.call('EXISTS', P .. 'def') == 0 then return reply('NOT_FOUND', {}) end
      local d = redis.call('HMGET', P .. 'def', 'ends', 'cancelled')
      if d[2] == '1' then return reply('OK', {}) end
      if now_ms() >= tonumber(d[1]) then return reply('CONFLICT', {why = 'ended'}) end
      redis.call('HSET', P .. 'def', 'cancelled', '1')
      redis.call('DEL', P .. 'wait', P .. 'waitset')
      return reply('OK', {})
      """);

  /**
   * Reserves for a batch of buyers in one call, each exactly as if alone and in order (see
   * {@link ReserveBatches}). ARGV from 4: five per request: buyer, quantity, idempotency key, new
   * reservation id, and the definition revision the caller checked the buyer against ({@code ''}: no
   * check). Returns {@code {replies = [...], def = ...}}: one reply per request, in order; a request
   * whose revision is not the stored one gets {@code STALE} (nothing changed) and {@code def} then
   * carries the stored definition (json, cancelled, rev). Failures carry no stock (callers read none).
   */
  private static final RedisScript RESERVE = script("reserve", """
      local now = now_ms()
      local results = {}
      local out = {replies = results}
      if redis.call('EXISTS', P .. 'def') == 0 then
        for i = 4, #ARGV, 5 do results[#results + 1] = {status = 'NOT_FOUND'} end
        return cjson.encode(out)
      end
      local d = redis.call('HMGET', P .. 'def', 'starts', 'ends', 'limit', 'hold', 'cancelled', 'rev')
      local starts, ends, limit, holdMs = tonumber(d[1]), tonumber(d[2]), tonumber(d[3]), tonumber(d[4]) * 1000
      local function one(buyer, qty, key, rid, rev)
        if rev ~= '' and tonumber(rev) ~= num(d[6]) then
          out.def = {json = redis.call('HGET', P .. 'def', 'json'), cancelled = d[5], rev = num(d[6])}
          return {status = 'STALE'}
        end
        local ik = buyer .. '\\0' .. key
        local prior = redis.call('HGET', P .. 'idem', ik)
        if prior then return {status = 'OK', rsv = rsv(prior), replay = true, stock = stock()} end
        if d[5] == '1' then return {status = 'ENDED'} end
        if now < starts then return {status = 'NOT_STARTED'} end
        if now >= ends then return {status = 'ENDED'} end
        local has = num(redis.call('HGET', P .. 'buyers', buyer))
        if has + qty > limit then return {status = 'LIMIT_EXCEEDED', has = has, limit = limit} end
        if num(redis.call('HGET', P .. 'stock', 'available')) < qty then return {status = 'SOLD_OUT'} end
        hold(rid, buyer, qty, now + holdMs, key, now)
        redis.call('HSET', P .. 'idem', ik, rid)
        return {status = 'OK', rsv = rsv(rid), stock = stock()}
      end
      for i = 4, #ARGV, 5 do
        results[#results + 1] = one(ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4])
      end
      return cjson.encode(out)
      """);

  /** ARGV[4] reservation id, 5 order id, 6 order json. */
  private static final RedisScript CONFIRM = script("confirm", """
      local now = now_ms()
      local r = rsv(ARGV[4])
      if not r then return reply('NOT_FOUND', {}) end
      if r.state == 'confirmed' then return reply('OK', {rsv = r, order = redis.call('HGET', P .. 'orders', r.order)}) end
      if r.state ~= 'held' then return reply('EXPIRED', {rsv = r}) end
      if now >= r.exp then return reply('EXPIRED', {rsv = r}) end
      if redis.call('HGET', P .. 'def', 'cancelled') == '1' then return reply('ENDED', {rsv = r}) end
      redis.call('HSET', P .. 'r:' .. r.id, 'state', 'confirmed', 'order', ARGV[5])
      redis.call('ZREM', P .. 'holds', r.id)
      redis.call('HINCRBY', P .. 'stock', 'held', -r.qty)
      redis.call('HINCRBY', P .. 'stock', 'sold', r.qty)
      bump()
      redis.call('HSET', P .. 'orders', ARGV[5], ARGV[6])
      redis.call('RPUSH', P .. 'orderlist', ARGV[5])
      redis.call('SADD', P .. 'outbox', ARGV[5])
      r.state = 'confirmed'
      r.order = ARGV[5]
      return reply('OK', {rsv = r, order = ARGV[6], created = true})
      """);

  /** ARGV[4] reservation id. */
  private static final RedisScript RELEASE = script("release", """
      local now = now_ms()
      local r = rsv(ARGV[4])
      if not r then return reply('NOT_FOUND', {}) end
      if r.state == 'released' then return reply('OK', {rsv = r}) end
      if r.state == 'confirmed' then return reply('CONFLICT', {rsv = r}) end
      if r.state == 'expired' then return reply('EXPIRED', {rsv = r}) end
      if now >= r.exp then return reply('EXPIRED', {rsv = r}) end
      give_back(r, 'released', now)
      return reply('OK', {rsv = r})
      """);

  /** ARGV[4] max holds to expire, 5 max outbox entries to report. */
  private static final RedisScript SWEEP = script("sweep", """
      if redis.call('EXISTS', P .. 'def') == 0 then return reply('NOT_FOUND', {}) end
      local now = now_ms()
      local due = redis.call('ZRANGEBYSCORE', P .. 'holds', '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
      local expired = {}
      for _, rid in ipairs(due) do
        local r = rsv(rid)
        if r and r.state == 'held' then
          give_back(r, 'expired', now)
          expired[#expired + 1] = r
        else
          redis.call('ZREM', P .. 'holds', rid)
        end
      end
      local result = {}
      if #expired > 0 then result.expired = expired end
      local pending = redis.call('SRANDMEMBER', P .. 'outbox', tonumber(ARGV[5]))
      if #pending > 0 then result.outbox = pending end
      return reply('OK', result)
      """);

  /** ARGV[4] buyer. */
  private static final RedisScript WAITLIST = script("waitlist", """
      local now = now_ms()
      if redis.call('EXISTS', P .. 'def') == 0 then return reply('NOT_FOUND', {}) end
      local d = redis.call('HMGET', P .. 'def', 'starts', 'ends', 'limit', 'hold', 'cancelled')
      if d[5] == '1' then return reply('ENDED', {}) end
      if now < tonumber(d[1]) then return reply('NOT_STARTED', {}) end
      if now >= tonumber(d[2]) then return reply('ENDED', {}) end
      if num(redis.call('HGET', P .. 'stock', 'available')) >= 1 then return reply('CONFLICT', {}) end
      if num(redis.call('HGET', P .. 'buyers', ARGV[4])) + 1 > tonumber(d[3]) then return reply('LIMIT_EXCEEDED', {}) end
      if redis.call('SADD', P .. 'waitset', ARGV[4]) == 1 then redis.call('RPUSH', P .. 'wait', ARGV[4]) end
      return reply('OK', {position = redis.call('LPOS', P .. 'wait', ARGV[4]) + 1})
      """);

  /**
   * Appends one order to the stream unless already appended. KEYS[1] stream, KEYS[2] appended hash
   * (one slot); ARGV order id, brand, sale, json.
   */
  private static final RedisScript APPEND_ORDER = new RedisScript("order-append", """
      if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 'DUPLICATE' end
      local id = redis.call('XADD', KEYS[1], '*', 'order', ARGV[1], 'brand', ARGV[2], 'sale', ARGV[3], 'json', ARGV[4])
      redis.call('HSET', KEYS[2], ARGV[1], id)
      return 'OK'
      """);

  /** Most sale definitions whose decoded form is kept (see {@link #known}); beyond it the memo starts over. */
  private static final int KNOWN_MAX = 10_000;

  private final RedisConnector redis;
  private final Clock clock;
  /**
   * Sale id → the definition this node last read from Redis: its JSON, revision ({@code rev}, +1 on
   * every update) and decoded {@link Sale} (immutable). {@link #get} refreshes it and skips decoding an
   * unchanged JSON; {@link #getRecent} answers from it without Redis, and {@link #reserve(Sale, String,
   * int, String)} sends its revision so Redis refuses a reservation checked against an old definition.
   */
  private final Map<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();
  /** Reserve requests grouped into one script call per sale while a rush is on. */
  private final ReserveBatches<String[]> reserves;

  private record Known(String json, long rev, Sale sale) {}

  /** @param clock stamps createdAt of orders only; every time check uses Redis TIME */
  public RedisSaleStore(RedisConnector redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
    this.reserves = new ReserveBatches<>(redis.vertx(), this::reserveBatch);
  }

  private static String prefix(String saleId) {
    return "dc:{sale:" + saleId + "}:";
  }

  private static String brandIndex(String brandId) {
    return "dc:sales:brand:" + brandId;
  }

  /** Runs a sale script: keys = the sale's def key (routes the call), standard ARGV 1-3 first. */
  private Future<JsonNode> run(RedisScript script, String saleId, String... args) {
    if (saleId == null || saleId.length() != 20 || !saleId.startsWith("sal_")) {
      return Future.succeededFuture(JsonCodec.parse("{\"status\":\"NOT_FOUND\"}"));
    }
    String[] argv = new String[args.length + 3];
    argv[0] = prefix(saleId);
    argv[1] = "rsv_" + saleId.substring(4) + "_w";
    argv[2] = Ids.random(10);
    System.arraycopy(args, 0, argv, 3, args.length);
    return script.run(redis, new String[] {prefix(saleId) + "def"}, argv).map(JsonCodec::parse);
  }

  private static String[] definitionArgs(Sale sale) {
    return new String[] {encode(sale.withState(Sale.State.SCHEDULED)), Long.toString(sale.startsAt().toEpochMilli()),
        Long.toString(sale.endsAt().toEpochMilli()), Integer.toString(sale.perBuyerLimit()),
        Integer.toString(sale.holdSeconds()), Integer.toString(sale.quantity())};
  }

  @Override
  public Future<Sale> create(Sale sale) {
    // Indexes first: a sale that is indexed but missing is skipped by readers; the reverse would hide it.
    return redis.call(c -> c.zadd(brandIndex(sale.brandId()), sale.createdAt().toEpochMilli(), sale.id()))
        .compose(v -> redis.call(c -> c.sadd(ACTIVE, sale.id())))
        .compose(v -> run(CREATE, sale.id(), definitionArgs(sale)))
        .compose(reply -> "OK".equals(status(reply)) ? Future.succeededFuture(sale)
            : Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT, "sale " + sale.id() + " already exists")));
  }

  @Override
  public Future<Sale> get(String saleId) {
    return redis.<List<KeyValue<String, String>>>call(c -> c.hmget(prefix(saleId) + "def", "json", "cancelled", "rev"))
        .map(fields -> fields.get(0).isEmpty() ? forget(saleId)
            : remember(saleId, fields.get(0).getValue(), "1".equals(fields.get(1).getValueOrElse("0")),
                Long.parseLong(fields.get(2).getValueOrElse("0"))));
  }

  /** @return the sale as this node last read it (no Redis call), or as {@link #get} when never read */
  @Override
  public Future<Sale> getRecent(String saleId) {
    Known k = known.get(saleId);
    return k != null ? Future.succeededFuture(k.sale()) : get(saleId);
  }

  private Sale forget(String saleId) {
    known.remove(saleId);
    return null;
  }

  /** Records a definition read from Redis; @return it decoded (state CANCELLED when cancelled) */
  private Sale remember(String saleId, String json, boolean cancelled, long rev) {
    Known last = known.get(saleId);
    Sale stored = last != null && last.json().equals(json) ? last.sale().withState(Sale.State.SCHEDULED)
        : decode(json, Sale.class);
    Sale sale = cancelled ? stored.withState(Sale.State.CANCELLED) : stored;
    if (known.size() >= KNOWN_MAX) {
      known.clear();
    }
    known.put(saleId, new Known(json, rev, sale));
    return sale;
  }

  @Override
  public Future<List<Sale>> listByBrand(String brandId) {
    return redis.<List<String>>call(c -> c.zrange(brandIndex(brandId), 0, -1)).compose(ids -> {
      List<Future<Sale>> reads = ids.stream().map(this::get).toList();
      return Future.all(reads).map(all -> {
        List<Sale> result = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          Sale s = all.resultAt(i);
          if (s != null) {
            result.add(s);
          }
        }
        return result;
      });
    });
  }

  @Override
  public Future<Sale> updateBeforeStart(Sale sale) {
    return run(UPDATE, sale.id(), definitionArgs(sale)).compose(reply -> switch (status(reply)) {
      case "OK" -> Future.succeededFuture(sale);
      case "NOT_FOUND" -> Future.failedFuture(notFound("sale", sale.id()));
      default -> Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT,
          "sale " + sale.id() + " is " + reply.path("why").asText() + "; only a scheduled sale can be changed"));
    });
  }

  @Override
  public Future<Sale> cancel(String saleId) {
    return run(CANCEL, saleId).compose(reply -> switch (status(reply)) {
      case "OK" -> get(saleId);
      case "NOT_FOUND" -> Future.failedFuture(notFound("sale", saleId));
      default -> Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT, "sale " + saleId + " already ended"));
    });
  }

  @Override
  public Future<StockCounters> stock(String saleId) {
    return redis.<List<KeyValue<String, String>>>call(c -> c.hmget(prefix(saleId) + "stock",
        "allotted", "available", "held", "sold", "expired", "ver")).map(f -> f.get(0).isEmpty() ? null
        : new StockCounters(num(f.get(0)), num(f.get(1)), num(f.get(2)), num(f.get(3)), num(f.get(4)), num(f.get(5))));
  }

  private static long num(KeyValue<String, String> kv) {
    return Long.parseLong(kv.getValueOrElse("0"));
  }

  @Override
  public Future<Outcome<Reservation>> reserve(String saleId, String buyerId, int quantity, String idempotencyKey) {
    return reserveAt(saleId, "", buyerId, quantity, idempotencyKey);
  }

  @Override
  public Future<Outcome<Reservation>> reserve(Sale checked, String buyerId, int quantity, String idempotencyKey) {
    Known k = known.get(checked.id());
    if (k != null && sameDefinition(k.sale(), checked)) {
      return reserveAt(checked.id(), Long.toString(k.rev()), buyerId, quantity, idempotencyKey);
    }
    // Not the definition this node knows: read it, then reserve only if the caller's is still current.
    return get(checked.id()).compose(fresh -> {
      Known now = known.get(checked.id());
      if (fresh == null || now == null) {
        return Future.failedFuture(notFound("sale", checked.id()));
      }
      return sameDefinition(now.sale(), checked)
          ? reserveAt(checked.id(), Long.toString(now.rev()), buyerId, quantity, idempotencyKey)
          : Future.failedFuture(new DefinitionChanged(fresh));
    });
  }

  private static boolean sameDefinition(Sale a, Sale b) {
    // Usually the very object getRecent handed out; else compare everything but the state.
    return a == b || a.withState(Sale.State.SCHEDULED).equals(b.withState(Sale.State.SCHEDULED));
  }

  /** @param rev the definition revision the caller checked, or "" for none */
  private Future<Outcome<Reservation>> reserveAt(String saleId, String rev, String buyerId, int quantity,
                                                 String idempotencyKey) {
    if (saleId == null || saleId.length() != 20 || !saleId.startsWith("sal_")) {
      return Future.failedFuture(notFound("sale", saleId));
    }
    String rid = "rsv_" + saleId.substring(4) + "_" + Ids.random(16);
    String[] request = {buyerId, Integer.toString(quantity), idempotencyKey, rid, rev};
    return reserves.submit(saleId, request).compose(reply -> {
      String status = status(reply);
      if ("STALE".equals(status)) {
        Known now = known.get(saleId);
        return Future.failedFuture(new DefinitionChanged(now != null ? now.sale() : null));
      }
      if (!"OK".equals(status)) {
        return Future.failedFuture(SaleErrors.reserveFailure(status, saleId, reply.path("limit").asInt()));
      }
      return Future.succeededFuture(outcome(saleId, reply, reservation(saleId, reply.get("rsv"))));
    });
  }

  /** One script call for a batch of one sale's reserve requests (see {@link ReserveBatches}). */
  private Future<List<JsonNode>> reserveBatch(String saleId, List<String[]> requests) {
    String[] args = new String[requests.size() * 5];
    for (int i = 0; i < requests.size(); i++) {
      System.arraycopy(requests.get(i), 0, args, i * 5, 5);
    }
    return run(RESERVE, saleId, args).map(reply -> {
      JsonNode def = reply.get("def");
      if (def != null && def.hasNonNull("json")) {
        remember(saleId, def.get("json").asText(), "1".equals(def.path("cancelled").asText()), def.path("rev").asLong());
      }
      List<JsonNode> replies = new ArrayList<>(requests.size());
      reply.path("replies").forEach(replies::add);
      return replies;
    });
  }

  @Override
  public Future<Outcome<Order>> confirm(String reservationId) {
    String saleId = Reservation.saleIdOf(reservationId);
    if (saleId == null) {
      return Future.failedFuture(notFound("reservation", reservationId));
    }
    // Buyer, quantity and the sale's price never change once a reservation exists, so the order can be
    // built before the script decides atomically whether it happens.
    return reservation(reservationId).compose(r -> r == null ? Future.failedFuture(notFound("reservation", reservationId))
        : get(saleId).compose(sale -> {
          Order order = SaleErrors.orderFor(sale, r, clock.instant());
          return run(CONFIRM, saleId, reservationId, order.id(), encode(order)).compose(reply -> {
            String status = status(reply);
            if (!"OK".equals(status)) {
              return Future.failedFuture(SaleErrors.reservationFailure(status, reservationId));
            }
            Order stored = decode(reply.path("order").asText(), Order.class);
            if (reply.path("created").asBoolean()) {
              forward(saleId, stored).onFailure(e -> LOG.warn("order {} not yet appended to {} ({}); the sweep retries",
                  stored.id(), ORDER_STREAM, e.getMessage()));
            }
            return Future.succeededFuture(outcome(saleId, reply, stored));
          });
        }));
  }

  /** Appends a confirmed order to the stream (at most once, whatever the retries), then takes it out of the outbox. */
  private Future<Void> forward(String saleId, Order order) {
    return APPEND_ORDER.run(redis, new String[] {ORDER_STREAM, ORDER_STREAM_APPENDED},
            order.id(), order.brandId(), order.saleId(), encode(order))
        .compose(appended -> redis.call(c -> c.srem(prefix(saleId) + "outbox", order.id())))
        .mapEmpty();
  }

  /** Forwards the given outbox entries of a sale, one after another; fails with the first failure. */
  private Future<Void> forwardAll(String saleId, List<String> orderIds) {
    Future<Void> chain = Future.succeededFuture();
    for (String orderId : orderIds) {
      chain = chain.compose(v -> redis.<String>call(c -> c.hget(prefix(saleId) + "orders", orderId)).compose(json ->
          json == null
              ? redis.call(c -> c.srem(prefix(saleId) + "outbox", orderId)).<Void>mapEmpty() // cannot happen: kept together
              : forward(saleId, decode(json, Order.class))));
    }
    return chain;
  }

  @Override
  public Future<Outcome<Reservation>> release(String reservationId) {
    String saleId = Reservation.saleIdOf(reservationId);
    if (saleId == null) {
      return Future.failedFuture(notFound("reservation", reservationId));
    }
    return run(RELEASE, saleId, reservationId).compose(reply -> {
      String status = status(reply);
      if (!"OK".equals(status)) {
        return Future.failedFuture(SaleErrors.reservationFailure(status, reservationId));
      }
      return Future.succeededFuture(outcome(saleId, reply, reservation(saleId, reply.get("rsv"))));
    });
  }

  @Override
  public Future<Reservation> reservation(String reservationId) {
    String saleId = Reservation.saleIdOf(reservationId);
    if (saleId == null) {
      return Future.succeededFuture(null);
    }
    return redis.<List<KeyValue<String, String>>>call(c -> c.hmget(prefix(saleId) + "r:" + reservationId,
        "buyer", "qty", "exp", "state", "key", "order", "created")).map(f -> f.get(0).isEmpty() ? null
        : new Reservation(reservationId, saleId, f.get(0).getValue(), Integer.parseInt(f.get(1).getValue()),
            Instant.ofEpochMilli(Long.parseLong(f.get(2).getValue())), Reservation.State.fromWire(f.get(3).getValue()),
            emptyToNull(f.get(4).getValueOrElse("")), emptyToNull(f.get(5).getValueOrElse("")),
            Instant.ofEpochMilli(Long.parseLong(f.get(6).getValue()))));
  }

  @Override
  public Future<Outcome<List<Reservation>>> sweep(String saleId, int max) {
    return run(SWEEP, saleId, Integer.toString(max), Integer.toString(OUTBOX_BATCH)).map(reply -> {
      if ("NOT_FOUND".equals(status(reply))) {
        return new Outcome<>(List.<Reservation>of(), null, List.of());
      }
      List<String> pending = new ArrayList<>();
      reply.path("outbox").forEach(id -> pending.add(id.asText()));
      if (!pending.isEmpty()) {
        forwardAll(saleId, pending).onFailure(e -> LOG.warn("{} order(s) of sale {} not yet appended to {} ({}); retried next tick",
            pending.size(), saleId, ORDER_STREAM, e.getMessage()));
      }
      List<Reservation> expired = new ArrayList<>();
      reply.path("expired").forEach(r -> expired.add(reservation(saleId, r)));
      return outcome(saleId, reply, expired);
    });
  }

  @Override
  public Future<Integer> joinWaitlist(String saleId, String buyerId) {
    return run(WAITLIST, saleId, buyerId).compose(reply -> {
      String status = status(reply);
      if ("OK".equals(status)) {
        return Future.succeededFuture(reply.path("position").asInt());
      }
      return Future.failedFuture(SaleErrors.waitlistFailure(status, saleId));
    });
  }

  @Override
  public Future<List<Order>> orders(String saleId) {
    return redis.<List<String>>call(c -> c.lrange(prefix(saleId) + "orderlist", 0, -1)).compose(ids -> ids.isEmpty()
        ? Future.succeededFuture(List.of())
        : redis.<List<KeyValue<String, String>>>call(c -> c.hmget(prefix(saleId) + "orders", ids.toArray(String[]::new)))
            .map(values -> values.stream().filter(KeyValue::hasValue).map(kv -> decode(kv.getValue(), Order.class)).toList()));
  }

  @Override
  public Future<List<String>> activeSaleIds() {
    return redis.<java.util.Set<String>>call(c -> c.smembers(ACTIVE)).map(List::copyOf);
  }

  @Override
  public Future<Void> retire(String saleId) {
    // Only once every order is in the stream: a retired sale is never swept again.
    return redis.<java.util.Set<String>>call(c -> c.smembers(prefix(saleId) + "outbox"))
        .compose(pending -> forwardAll(saleId, List.copyOf(pending)))
        .compose(v -> redis.call(c -> c.srem(ACTIVE, saleId)))
        .mapEmpty();
  }

  @Override
  public Future<Boolean> claimEvent(String saleId, String event) {
    return redis.<Long>call(c -> c.sadd(prefix(saleId) + "ev", event)).map(n -> n == 1L);
  }

  private static <T> Outcome<T> outcome(String saleId, JsonNode reply, T value) {
    JsonNode s = reply.path("stock");
    StockCounters stock = new StockCounters(s.path("allotted").asLong(), s.path("available").asLong(),
        s.path("held").asLong(), s.path("sold").asLong(), s.path("expired").asLong(), s.path("ver").asLong());
    List<Reservation> offers = new ArrayList<>();
    reply.path("offers").forEach(r -> offers.add(reservation(saleId, r)));
    return new Outcome<>(value, stock, offers);
  }

  private static Reservation reservation(String saleId, JsonNode r) {
    return new Reservation(r.path("id").asText(), saleId, r.path("buyer").asText(), r.path("qty").asInt(),
        Instant.ofEpochMilli(r.path("exp").asLong()), Reservation.State.fromWire(r.path("state").asText()),
        emptyToNull(r.path("key").asText("")), emptyToNull(r.path("order").asText("")),
        Instant.ofEpochMilli(r.path("created").asLong()));
  }

  private static String status(JsonNode reply) {
    return reply.path("status").asText();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static ProtocolException notFound(String what, String id) {
    return new ProtocolException(ErrorCode.NOT_FOUND, what + " " + id + " not found");
  }

  private static String encode(Object value) {
    try {
      return JsonCodec.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static <T> T decode(String json, Class<T> type) {
    try {
      return JsonCodec.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new ProtocolException(ErrorCode.INTERNAL, "stored " + type.getSimpleName() + " is unreadable");
    }
  }
}
