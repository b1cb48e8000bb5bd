package io.dropcast.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.media.MediaFrame;
import io.dropcast.protocol.message.Event;
import io.dropcast.server.gateway.WireFrames;
import io.dropcast.server.media.RelayFrame;
import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisScript;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Carries each show's sequenced events and its host's media between the nodes that share one Redis
 * ({@code store=redis}), so a show can have viewers on every node: one sequence per show, a shared
 * recovery history, and the replicated room state a node needs to serve a join snapshot (product
 * pins, pinned comment, chat settings, bans, mutes, reaction totals, viewer counts summed over nodes).
 *
 * <p>Every event goes through one Lua script that takes the show's next seq, appends the message to
 * the history, updates the replicated state and PUBLISHes the message; because Redis runs scripts
 * one at a time, messages reach every subscriber in seq order. A node applies an event's state change
 * and fans it out only when the message comes back through its subscription (the node that
 * published it included), so every node's room sees the same sequence.
 *
 * <p>Keys of show {@code S} share the hash tag {@code {show:S}} (one Redis Cluster slot):
 * <ul>
 *   <li>{@code dc:{show:S}:seq} the counter; {@code dc:{show:S}:history} a sorted set, score = seq,
 *       member = message, trimmed to {@code live.history-size};</li>
 *   <li>{@code dc:{show:S}:state} hash (pins and pinlist, chatPinned, slow, filter, and {@code ver:<key>} the last
 *       version published of a versioned latest-value event); {@code :bans}, {@code :mutes}
 *       sets; {@code :reactions} hash kind → total; {@code :viewers} hash {@code n:<node>} →
 *       {@code count:expiresAtMillis}, {@code peak}, {@code last};</li>
 *   <li>{@code dc:{show:S}:once:<key>} marks an event published once for the whole cluster;</li>
 *   <li>channels {@code dc:{show:S}:events} (message = {@code seq \n meta-json \n event-json}) and
 *       {@code dc:{show:S}:media} (8-byte node tag, then the media frame as the host sent it).</li>
 * </ul>
 * Keys expire {@value #TTL_SECONDS} s after the show's last event.
 *
 * <p>Thread-safe. Subscription messages arrive on Lettuce's I/O threads; they are turned into one
 * shared frame there and handed to the room's loop. Never blocks.
 */
final class RedisShowSync {
  static final long TTL_SECONDS = 2 * 24 * 3600;
  /** A node's viewer count is forgotten this long after its last report (a dead node's viewers). */
  static final long VIEWER_ENTRY_TTL_MS = 15_000;
  /** How often a node re-reports its viewer count while a room has members. */
  static final long VIEWER_HEARTBEAT_MS = 5_000;
  private static final long SEQ_SENTINEL = Long.MIN_VALUE + 7;
  private static final String DATA_SENTINEL = "@@dropcast-data@@";

  private static final String EMIT = """
      local function emit(meta, pre, post)
        local seq = redis.call('INCR', KEYS[1])
        local msg = seq .. '\\n' .. meta .. '\\n' .. pre .. seq .. post
        redis.call('ZADD', KEYS[2], seq, msg)
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[2]) - 1)
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        redis.call('EXPIRE', KEYS[2], ARGV[3])
        redis.call('PUBLISH', ARGV[1], msg)
        return tostring(seq)
      end
      """;

  /**
   * KEYS seq history state bans mutes once; ARGV channel histSize ttl meta pre post once-flag
   * version-field version ops(op,a,b)…
   */
  private static final RedisScript PUBLISH = new RedisScript("show-publish", EMIT + """
      if ARGV[8] ~= '' then
        local last = redis.call('HGET', KEYS[3], ARGV[8])
        if last and tonumber(last) >= tonumber(ARGV[9]) then return '0' end
      end
      if ARGV[7] == '1' and not redis.call('SET', KEYS[6], '1', 'NX', 'EX', ARGV[3]) then
        return '0'
      end
      if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], ARGV[8], ARGV[9]) end
      local i = 10
      while i + 2 <= #ARGV do
        local op, a, b = ARGV[i], ARGV[i + 1], ARGV[i + 2]
        if op == 'hset' then redis.call('HSET', KEYS[3], a, b)
        elseif op == 'hdel' then redis.call('HDEL', KEYS[3], a)
        elseif op == 'ban' then
          if b == '1' then redis.call('SADD', KEYS[4], a) else redis.call('SREM', KEYS[4], a) end
        elseif op == 'mute' then
          if b == '1' then redis.call('SADD', KEYS[5], a) else redis.call('SREM', KEYS[5], a) end
        end
        i = i + 3
      end
      for k = 3, 5 do redis.call('EXPIRE', KEYS[k], ARGV[3]) end
      return emit(ARGV[4], ARGV[5], ARGV[6])
      """);

  /** KEYS seq history viewers; ARGV channel histSize ttl field count entryTtlMs pre mid post. */
  private static final RedisScript VIEWERS = new RedisScript("show-viewers", EMIT + """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if tonumber(ARGV[5]) > 0 then
        redis.call('HSET', KEYS[3], ARGV[4], ARGV[5] .. ':' .. (now + tonumber(ARGV[6])))
      else
        redis.call('HDEL', KEYS[3], ARGV[4])
      end
      redis.call('EXPIRE', KEYS[3], ARGV[3])
      local sum = 0
      local all = redis.call('HGETALL', KEYS[3])
      for i = 1, #all, 2 do
        if string.sub(all[i], 1, 2) == 'n:' then
          local c, e = string.match(all[i + 1], '(%d+):(%d+)')
          if tonumber(e) > now then sum = sum + tonumber(c) else redis.call('HDEL', KEYS[3], all[i]) end
        end
      end
      local peak = math.max(tonumber(redis.call('HGET', KEYS[3], 'peak') or '0'), sum)
      redis.call('HSET', KEYS[3], 'peak', peak)
      local counts = sum .. ':' .. peak
      if redis.call('HGET', KEYS[3], 'last') == counts then return '0' end
      redis.call('HSET', KEYS[3], 'last', counts)
      local data = '{"current":' .. sum .. ',"peak":' .. peak .. '}'
      return emit('{"k":"viewers","current":' .. sum .. ',"peak":' .. peak .. '}', ARGV[7], ARGV[8] .. data .. ARGV[9])
      """);

  /**
   * KEYS seq history state; ARGV channel histSize ttl op(add|remove) productId pinJson max pre mid post.
   * The show's pins live in the state hash as {@code pinlist} (JSON array of {id, raw card JSON}) and
   * {@code pins} (the cards as one JSON array, what {@link #load} reads); a pin or unpin changes them
   * and publishes the resulting list in one step, so moderators on different nodes never overwrite
   * each other's pins. Returns "seq\npins" when published, "SAME\npins", "FULL" or "NOT_PINNED".
   */
  private static final RedisScript PINS = new RedisScript("show-pins", EMIT + """
      local list = cjson.decode(redis.call('HGET', KEYS[3], 'pinlist') or '[]')
      local at = nil
      for i, p in ipairs(list) do if p.id == ARGV[5] then at = i end end
      local action
      if ARGV[4] == 'add' then
        if at then return 'SAME\\n' .. (redis.call('HGET', KEYS[3], 'pins') or '[]') end
        if #list >= tonumber(ARGV[7]) then return 'FULL' end
        list[#list + 1] = {id = ARGV[5], raw = ARGV[6]}
        action = 'pinned'
      else
        if not at then return 'NOT_PINNED' end
        table.remove(list, at)
        action = 'unpinned'
      end
      local raws = {}
      for i, p in ipairs(list) do raws[i] = p.raw end
      local pins = '[' .. table.concat(raws, ',') .. ']'
      redis.call('HSET', KEYS[3], 'pinlist', cjson.encode(list), 'pins', pins)
      redis.call('EXPIRE', KEYS[3], ARGV[3])
      local data = '{"pins":' .. pins .. ',"action":"' .. action .. '","productId":' .. cjson.encode(ARGV[5]) .. '}'
      local seq = emit('{"k":"pins","pins":' .. pins .. '}', ARGV[8], ARGV[9] .. data .. ARGV[10])
      return seq .. '\\n' .. pins
      """);

  /** KEYS seq history reactions; ARGV channel histSize ttl pre mid post kinds(csv) then kind,delta pairs. */
  private static final RedisScript REACTIONS = new RedisScript("show-reactions", EMIT + """
      local i = 8
      while i + 1 <= #ARGV do
        redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1])
        i = i + 2
      end
      redis.call('EXPIRE', KEYS[3], ARGV[3])
      local parts = {}
      for kind in string.gmatch(ARGV[7], '[^,]+') do
        local n = redis.call('HGET', KEYS[3], kind)
        if n then parts[#parts + 1] = '"' .. kind .. '":' .. n end
      end
      local data = '{' .. table.concat(parts, ',') .. '}'
      return emit('{"k":"reactions","totals":' .. data .. '}', ARGV[4], ARGV[5] .. data .. ARGV[6])
      """);

  /** KEYS seq state bans mutes reactions viewers; returns the replicated state as JSON. */
  private static final RedisScript LOAD = new RedisScript("show-load", """
      local function hash(key)
        local out, all = {}, redis.call('HGETALL', key)
        for i = 1, #all, 2 do out[all[i]] = all[i + 1] end
        return out
      end
      local v = hash(KEYS[6])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local sum = 0
      for f, val in pairs(v) do
        if string.sub(f, 1, 2) == 'n:' then
          local c, e = string.match(val, '(%d+):(%d+)')
          if tonumber(e) > now then sum = sum + tonumber(c) end
        end
      end
      return cjson.encode({seq = tonumber(redis.call('GET', KEYS[1]) or '0'), state = hash(KEYS[2]),
        bans = redis.call('SMEMBERS', KEYS[3]), mutes = redis.call('SMEMBERS', KEYS[4]),
        reactions = hash(KEYS[5]), current = sum, peak = tonumber(v['peak'] or '0')})
      """);

  /** A sequenced message from the show's channel or history. The holder owns one reference to {@code frame}. */
  record Message(long seq, JsonNode meta, ByteBuf frame) {}

  /**
   * The replicated state of a show when a node's room attaches to it, as the state changes that
   * rebuild it (the same changes events carry, see {@code ShowRoom.apply}).
   */
  record Loaded(long seq, List<JsonNode> changes) {}

  private final Vertx vertx;
  private final RedisConnector redis;
  private final int historySize;
  /** Tags this node's media messages, so it does not relay its own host's frames twice. */
  private final long nodeTag = ThreadLocalRandom.current().nextLong();
  final String nodeField = "n:" + Long.toHexString(nodeTag);
  private final Map<String, ShowRoom> byEvents = new ConcurrentHashMap<>();
  private final Map<String, ShowRoom> byMedia = new ConcurrentHashMap<>();
  private final Map<String, java.util.function.Consumer<JsonNode>> broadcasts = new ConcurrentHashMap<>();
  private volatile Future<StatefulRedisPubSubConnection<byte[], byte[]>> subscriber;
  private volatile Future<StatefulRedisPubSubConnection<byte[], byte[]>> publisher;
  private volatile boolean closed;

  RedisShowSync(Vertx vertx, RedisConnector redis, int historySize) {
    this.vertx = vertx;
    this.redis = redis;
    this.historySize = historySize;
  }

  private static String key(String showId, String part) {
    return "dc:{show:" + showId + "}:" + part;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------------------ connections

  private Future<StatefulRedisPubSubConnection<byte[], byte[]>> subscriber() {
    Future<StatefulRedisPubSubConnection<byte[], byte[]>> f = subscriber;
    if (f == null || f.failed()) {
      f = connect(true);
      subscriber = f;
    }
    return f;
  }

  private Future<StatefulRedisPubSubConnection<byte[], byte[]>> publisher() {
    Future<StatefulRedisPubSubConnection<byte[], byte[]>> f = publisher;
    if (f == null || f.failed()) {
      f = connect(false);
      publisher = f;
    }
    return f;
  }

  private Future<StatefulRedisPubSubConnection<byte[], byte[]>> connect(boolean listen) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("closed"));
    }
    return Future.fromCompletionStage(redis.connectPubSub(ByteArrayCodec.INSTANCE)).map(conn -> {
      if (listen) {
        conn.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(byte[] channel, byte[] message) {
            onMessage(new String(channel, StandardCharsets.UTF_8), message);
          }
        });
      }
      return conn;
    });
  }

  /** Subscribes the room's channels; messages go to the room from now on (held until it is synced). */
  Future<Void> attach(ShowRoom room) {
    String events = key(room.id, "events");
    String media = key(room.id, "media");
    byEvents.put(events, room);
    byMedia.put(media, room);
    return subscriber().compose(conn -> Future.fromCompletionStage(
        conn.async().subscribe(bytes(events), bytes(media)))).<Void>mapEmpty()
        .onFailure(e -> {
          byEvents.remove(events, room);
          byMedia.remove(media, room);
        });
  }

  /** Unsubscribes the room's channels (the room was retired). */
  void detach(ShowRoom room) {
    String events = key(room.id, "events");
    String media = key(room.id, "media");
    byEvents.remove(events, room);
    byMedia.remove(media, room);
    Future<StatefulRedisPubSubConnection<byte[], byte[]>> f = subscriber;
    if (f != null && f.succeeded()) {
      f.result().async().unsubscribe(bytes(events), bytes(media));
    }
  }

  private void onMessage(String channel, byte[] message) {
    ShowRoom target = byEvents.get(channel);
    if (target != null) {
      Message m;
      try {
        m = parse(message);
      } catch (RuntimeException e) {
        LiveShows.LOG.warn("unreadable show message on {}: {}", channel, e.toString());
        return;
      }
      target.execute(() -> target.onSyncMessage(m));
      return;
    }
    java.util.function.Consumer<JsonNode> listener = broadcasts.get(channel);
    if (listener != null) {
      JsonNode payload = JsonCodec.parse(message);
      vertx.runOnContext(v -> listener.accept(payload));
      return;
    }
    ShowRoom room = byMedia.get(channel);
    if (room != null && message.length > 8 && ByteBuffer.wrap(message, 0, 8).getLong() != nodeTag) {
      relayRemoteMedia(room, message);
    }
  }

  private static Message parse(byte[] message) {
    int first = indexOf(message, 0);
    int second = indexOf(message, first + 1);
    long seq = Long.parseLong(new String(message, 0, first, StandardCharsets.US_ASCII));
    JsonNode meta = second == first + 1 ? null
        : JsonCodec.parse(new String(message, first + 1, second - first - 1, StandardCharsets.UTF_8));
    ByteBuf frame = WireFrames.open(message.length - second - 1);
    frame.writeBytes(message, second + 1, message.length - second - 1);
    return new Message(seq, meta, WireFrames.seal(frame, false));
  }

  private static int indexOf(byte[] message, int from) {
    for (int i = from; i < message.length; i++) {
      if (message[i] == '\n') {
        return i;
      }
    }
    throw new IllegalArgumentException("malformed show message");
  }

  private void relayRemoteMedia(ShowRoom room, byte[] message) {
    int size = message.length - 8;
    if (room.ingestBytes.get() + size > room.gopMaxBytes()) {
      room.countDrop();
      return;
    }
    MediaFrame.Header header;
    try {
      header = MediaFrame.readHeader(ByteBuffer.wrap(message, 8, size).slice());
    } catch (RuntimeException e) {
      return;
    }
    ByteBuf frame = WireFrames.open(size);
    frame.writeBytes(message, 8, size);
    RelayFrame relay = new RelayFrame(WireFrames.seal(frame, true), header);
    room.ingestBytes.addAndGet(relay.size());
    room.execute(() -> room.relay(relay, null));
  }

  // ------------------------------------------------------------------------------------ publishing

  /**
   * Sequences and publishes an event for every node's viewers of the show.
   *
   * @param change the replicated state change the event carries (applied by every node when the event
   *     arrives), or null
   * @param onceKey when not null, the event is published only once for the whole cluster under this key
   * @return true when published; false when {@code onceKey} was already used
   */
  Future<Boolean> publish(String showId, String event, Object data, Map<String, Object> change, String onceKey) {
    return publish(showId, event, data, change, onceKey, null, 0);
  }

  /**
   * Like {@link #publish(String, String, Object, Map, String)}, and when {@code versionKey} is not null
   * the event is published only if {@code version} is above the last version published under that key
   * for the show (a latest-value event read on several nodes: an older read is dropped).
   *
   * @return true when published; false when a once-key was used or the version was not newer
   */
  Future<Boolean> publish(String showId, String event, Object data, Map<String, Object> change, String onceKey,
                          String versionKey, long version) {
    String[] template;
    try {
      template = template(showId, event, data);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String onceFlag = onceKey == null ? "" : "1";
    List<String> args = new ArrayList<>(List.of(key(showId, "events"), Integer.toString(historySize),
        Long.toString(TTL_SECONDS), change == null ? "" : JsonCodec.encodeToString(change), template[0], template[1],
        onceFlag, versionKey == null ? "" : "ver:" + versionKey, Long.toString(version)));
    if (change != null) {
      stateOps(change, args);
    }
    String[] keys = {key(showId, "seq"), key(showId, "history"), key(showId, "state"), key(showId, "bans"),
        key(showId, "mutes"), key(showId, "once:" + (onceKey == null ? "-" : onceKey))};
    return PUBLISH.run(redis, keys, args.toArray(String[]::new)).map(seq -> !"0".equals(seq));
  }

  /** Adds the Redis state updates that keep {@code change} for nodes that attach later. */
  private static void stateOps(Map<String, Object> change, List<String> args) {
    switch (String.valueOf(change.get("k"))) {
      case "pins" -> args.addAll(List.of("hset", "pins", JsonCodec.encodeToString(change.get("pins"))));
      case "chatPin" -> args.addAll(change.get("m") == null ? List.of("hdel", "chatPinned", "")
          : List.of("hset", "chatPinned", JsonCodec.encodeToString(change.get("m"))));
      case "slow" -> args.addAll(List.of("hset", "slow", String.valueOf(change.get("s"))));
      case "filter" -> args.addAll(List.of("hset", "filter", JsonCodec.encodeToString(change.get("words"))));
      case "mod" -> {
        String action = String.valueOf(change.get("action"));
        String userId = String.valueOf(change.get("userId"));
        boolean on = action.equals("ban") || action.equals("mute");
        args.addAll(List.of(action.endsWith("ban") ? "ban" : "mute", userId, on ? "1" : "0"));
      }
      default -> { }
    }
  }

  /** @return the event's JSON split around its seq: {before, after} */
  private static String[] template(String showId, String event, Object data) {
    String json = JsonCodec.encodeToString(new Event(showId, SEQ_SENTINEL, event, data));
    String marker = "\"seq\":" + SEQ_SENTINEL;
    int at = json.indexOf(marker);
    int cut = at + "\"seq\":".length();
    return new String[] {json.substring(0, cut), json.substring(cut + Long.toString(SEQ_SENTINEL).length())};
  }

  /** @return the event's JSON split around its seq and its data: {before seq, between, after data} */
  private static String[] dataTemplate(String showId, String event) {
    String[] t = template(showId, event, DATA_SENTINEL);
    String quoted = "\"" + DATA_SENTINEL + "\"";
    int at = t[1].indexOf(quoted);
    return new String[] {t[0], t[1].substring(0, at), t[1].substring(at + quoted.length())};
  }

  /** Reports this node's viewer count of a show; publishes {@code viewers} when the cluster total changed. */
  Future<Void> reportViewers(String showId, int count) {
    String[] t = dataTemplate(showId, io.dropcast.protocol.message.Events.VIEWERS);
    return VIEWERS.run(redis, new String[] {key(showId, "seq"), key(showId, "history"), key(showId, "viewers")},
        key(showId, "events"), Integer.toString(historySize), Long.toString(TTL_SECONDS), nodeField,
        Integer.toString(count), Long.toString(VIEWER_ENTRY_TTL_MS), t[0], t[1], t[2]).mapEmpty();
  }

  /**
   * Pins ({@code pin} not null) or unpins a product for the show on every node, atomically in Redis
   * (see {@link #PINS}); the {@code product.pins} event reaches every node's room, which applies it.
   *
   * @return the show's pins after the change, oldest first; fails with CONFLICT when {@code max}
   *     products are pinned already, NOT_FOUND when unpinning a product that is not pinned
   */
  Future<List<io.dropcast.server.pin.ProductPin>> changePins(String showId, String productId,
                                                            io.dropcast.server.pin.ProductPin pin, int max) {
    String[] t = dataTemplate(showId, io.dropcast.protocol.message.Events.PINS);
    return PINS.run(redis, new String[] {key(showId, "seq"), key(showId, "history"), key(showId, "state")},
        key(showId, "events"), Integer.toString(historySize), Long.toString(TTL_SECONDS), pin == null ? "remove" : "add",
        productId, pin == null ? "" : JsonCodec.encodeToString(pin), Integer.toString(max), t[0], t[1], t[2])
        .compose(reply -> switch (reply) {
          case "FULL" -> Future.failedFuture(new io.dropcast.protocol.ProtocolException(io.dropcast.protocol.ErrorCode.CONFLICT,
              "at most " + max + " products can be pinned at once; unpin one first"));
          case "NOT_PINNED" -> Future.failedFuture(new io.dropcast.protocol.ProtocolException(io.dropcast.protocol.ErrorCode.NOT_FOUND,
              "product " + productId + " is not pinned"));
          default -> Future.succeededFuture(JsonCodec.mapper().convertValue(
              JsonCodec.parse(reply.substring(reply.indexOf('\n') + 1)),
              new com.fasterxml.jackson.core.type.TypeReference<List<io.dropcast.server.pin.ProductPin>>() { }));
        });
  }

  /** Adds reactions to the show's shared totals and publishes the new totals. */
  Future<Void> addReactions(String showId, Map<String, Long> deltas, List<String> kinds) {
    String[] t = dataTemplate(showId, io.dropcast.protocol.message.Events.REACTIONS);
    List<String> args = new ArrayList<>(List.of(key(showId, "events"), Integer.toString(historySize),
        Long.toString(TTL_SECONDS), t[0], t[1], t[2], String.join(",", kinds)));
    deltas.forEach((kind, n) -> {
      args.add(kind);
      args.add(Long.toString(n));
    });
    return REACTIONS.run(redis, new String[] {key(showId, "seq"), key(showId, "history"), key(showId, "reactions")},
        args.toArray(String[]::new)).mapEmpty();
  }

  /** Sends a message to every node's {@link #onBroadcast} listener of the topic (this node's included). */
  void broadcast(String topic, Object payload) {
    byte[] channel = bytes("dc:broadcast:" + topic);
    byte[] message = JsonCodec.encode(payload);
    publisher().onSuccess(conn -> conn.async().publish(channel, message));
  }

  /** Listens to a broadcast topic for as long as the node runs (subscribes, retrying until Redis answers). */
  void onBroadcast(String topic, java.util.function.Consumer<JsonNode> listener) {
    String channel = "dc:broadcast:" + topic;
    broadcasts.put(channel, listener);
    subscribeBroadcast(channel);
  }

  private void subscribeBroadcast(String channel) {
    if (closed) {
      return;
    }
    subscriber().compose(conn -> Future.fromCompletionStage(conn.async().subscribe(bytes(channel))))
        .onFailure(e -> vertx.setTimer(1000, t -> subscribeBroadcast(channel)));
  }

  /**
   * Sends a host's media frame (as the host sent it) to the other nodes' viewers. A codec config is
   * also kept per track in {@code dc:{show:S}:media-config}, for nodes that attach mid-stream.
   */
  void publishMedia(String showId, ByteBuf frame, MediaFrame.Header header) {
    byte[] message = new byte[8 + frame.readableBytes()];
    ByteBuffer.wrap(message, 0, 8).putLong(nodeTag);
    frame.getBytes(frame.readerIndex(), message, 8, frame.readableBytes());
    byte[] channel = bytes(key(showId, "media"));
    boolean config = header.kind() == MediaFrame.Kind.CONFIG;
    if (config) {
      // Through the routed command connection (a cluster pub/sub connection talks to one node only),
      // in Base64 as that connection speaks strings. The frame itself is published at once, in order
      // with the frames after it; a node attaching in the instant between the two may miss the config.
      String configs = key(showId, "media-config");
      String track = Integer.toString(header.trackId());
      String value = java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(message, 8, message.length));
      redis.<Boolean>call(c -> c.hset(configs, track, value)).compose(v -> redis.<Boolean>call(c -> c.expire(configs, TTL_SECONDS)))
          .onFailure(e -> LiveShows.LOG.warn("codec config of show {} not kept: {}", showId, e.toString()));
    }
    publisher().onSuccess(conn -> conn.async().publish(channel, message));
  }

  /** @return the codec config frames the show's host sent last, one per track (for the GOP cache) */
  Future<List<RelayFrame>> mediaConfigs(String showId) {
    String configs = key(showId, "media-config");
    return redis.<Map<String, String>>call(c -> c.hgetall(configs)).map(all -> {
      List<RelayFrame> frames = new ArrayList<>();
      for (String encoded : all.values()) {
        try {
          byte[] raw = java.util.Base64.getDecoder().decode(encoded);
          MediaFrame.Header header = MediaFrame.readHeader(ByteBuffer.wrap(raw));
          ByteBuf buf = WireFrames.open(raw.length);
          buf.writeBytes(raw);
          frames.add(new RelayFrame(WireFrames.seal(buf, true), header));
        } catch (RuntimeException e) {
          LiveShows.LOG.warn("unreadable codec config of show {}: {}", showId, e.toString());
        }
      }
      return frames;
    });
  }

  // ------------------------------------------------------------------------------------ reading

  /** @return the show's replicated state and the seq it is current at */
  Future<Loaded> load(String showId) {
    return LOAD.run(redis, new String[] {key(showId, "seq"), key(showId, "state"), key(showId, "bans"),
        key(showId, "mutes"), key(showId, "reactions"), key(showId, "viewers")}).map(json -> {
          JsonNode all = JsonCodec.parse(json);
          JsonNode state = all.path("state");
          List<JsonNode> changes = new ArrayList<>();
          if (state.hasNonNull("pins")) {
            changes.add(change("pins").set("pins", JsonCodec.parse(state.get("pins").asText())));
          }
          if (state.hasNonNull("chatPinned")) {
            changes.add(change("chatPin").set("m", JsonCodec.parse(state.get("chatPinned").asText())));
          }
          if (state.hasNonNull("slow")) {
            changes.add(change("slow").put("s", Integer.parseInt(state.get("slow").asText())));
          }
          if (state.hasNonNull("filter")) {
            changes.add(change("filter").set("words", JsonCodec.parse(state.get("filter").asText())));
          }
          all.path("bans").forEach(u -> changes.add(change("mod").put("userId", u.asText()).put("action", "ban")));
          all.path("mutes").forEach(u -> changes.add(change("mod").put("userId", u.asText()).put("action", "mute")));
          changes.add(change("reactions").set("totals", all.path("reactions")));
          changes.add(change("viewers").put("current", all.path("current").asInt()).put("peak", all.path("peak").asInt()));
          return new Loaded(all.path("seq").asLong(), changes);
        });
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode change(String kind) {
    return JsonCodec.mapper().createObjectNode().put("k", kind);
  }

  /**
   * @return the shared history's messages with {@code after < seq <= upTo}, in seq order (possibly
   *     fewer when older ones were trimmed); the caller owns their frames
   */
  Future<List<Message>> history(String showId, long after, long upTo) {
    String historyKey = key(showId, "history");
    return redis.<List<ScoredValue<String>>>call(c -> c.zrangebyscoreWithScores(historyKey,
        Range.create((double) after + 1, (double) upTo))).map(values -> {
          List<Message> out = new ArrayList<>(values.size());
          for (ScoredValue<String> v : values) {
            out.add(parse(v.getValue().getBytes(StandardCharsets.UTF_8)));
          }
          return out;
        });
  }

  /** @return true when the user is banned from the show (asked of Redis; for nodes without the show's room) */
  Future<Boolean> isBanned(String showId, String userId) {
    return redis.<Boolean>call(c -> c.sismember(key(showId, "bans"), userId));
  }

  /** Closes the pub/sub connections. */
  void close() {
    closed = true;
    for (Future<StatefulRedisPubSubConnection<byte[], byte[]>> f : List.of(
        subscriber == null ? Future.<StatefulRedisPubSubConnection<byte[], byte[]>>failedFuture("none") : subscriber,
        publisher == null ? Future.<StatefulRedisPubSubConnection<byte[], byte[]>>failedFuture("none") : publisher)) {
      f.onSuccess(StatefulRedisPubSubConnection::closeAsync);
    }
  }
}
