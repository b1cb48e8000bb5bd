package io.dropcast.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.media.MediaFrame;
import io.dropcast.protocol.message.Ops;
import io.dropcast.protocol.message.Request;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.chat.ChatCommand;
import io.dropcast.server.chat.ChatRoom;
import io.dropcast.server.config.Config;
import io.dropcast.server.config.Settings;
import io.dropcast.server.gateway.AttachmentKey;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.gateway.SocketGateway;
import io.dropcast.server.gateway.WireFrames;
import io.dropcast.server.gateway.SocketGateway.Access;
import io.dropcast.server.media.RelayFrame;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.Stores;
import io.netty.buffer.ByteBuf;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live-show runtime: registers the show socket ops (join/leave, lifecycle, chat and moderation,
 * reactions, product pins), relays hosts' media, and implements {@link ShowEvents} for other
 * features. Other features extend it through two seams: one {@link ChatCommand} (a chat text that is
 * a command, e.g. comment-to-buy) and {@link SnapshotContributor}s (extra join-snapshot sections,
 * e.g. the show's sales). See {@code docs/protocol-live.md}.
 *
 * <p>Each show that someone joined has a {@link ShowRoom} on this node, confined to one event loop
 * (see its class comment for the threading and fan-out model). A connection is in at most one show
 * at a time: a successful {@code join} of another show (or a re-join of the same show) first leaves
 * the current one; a failed join leaves the connection where it was. The membership is the
 * connection's {@link #VIEWER} attachment, touched only on the connection's loop.
 *
 * <p>Rooms are created on the first join of an existing show and kept while the node runs (an ended
 * show's room drops its buffers once its last viewer leaves). Every join reads the show from the
 * store, so the room admits by the brand's latest edits (PATCH) and a deleted show is NOT_FOUND. {@link #publish} to a show that has
 * no room on this node (nobody joined it here) is dropped: there is nobody to deliver it to.
 *
 * <p>Thread-safe: ops run on the connection's loop, {@link ShowEvents} methods may be called from
 * any thread.
 */
public final class LiveShows implements ShowEvents {
  static final Logger LOG = LoggerFactory.getLogger(LiveShows.class);
  static final AttachmentKey<Viewer> VIEWER = new AttachmentKey<>("live.viewer");
  private static final AttachmentKey<Boolean> CLOSE_HOOK = new AttachmentKey<>("live.close-hook");
  private static final int MAX_ID_LENGTH = 128;

  final Stores stores;
  final Clock clock;
  final LiveMetrics metrics;
  final ChatRoom.Limits chatLimits;
  final int chatHistorySize;
  final int maxPins;
  final int maxReactionCount;
  final int historySize;
  final long coalesceMs;
  final long maxQueuedBytes;
  final long gopMaxBytes;

  private final VertxInternal vertx;
  /** Cross-node fan-out through Redis (store=redis), or null on a single node. */
  final RedisShowSync sync;
  private final Map<String, ShowRoom> rooms = new ConcurrentHashMap<>();
  private final Map<String, Future<ShowRoom>> loading = new HashMap<>();
  private final Map<String, java.util.function.Consumer<JsonNode>> broadcastListeners = new ConcurrentHashMap<>();
  /** Written at start-up, read by rooms. */
  volatile ChatCommand chatCommand;
  /** Written at start-up, read by rooms. */
  volatile ShowActivity activity = ShowActivity.NONE;
  private final Map<String, SnapshotContributor> snapshotContributors = new java.util.concurrent.ConcurrentSkipListMap<>();

  /** Creates the runtime and registers its ops and media handler on the server's gateway. */
  public LiveShows(DropcastServer server) {
    Config config = server.config();
    this.vertx = (VertxInternal) server.vertx();
    this.stores = server.stores();
    this.clock = server.clock();
    this.metrics = new LiveMetrics(server.metrics().registry());
    this.chatHistorySize = config.get(Settings.CHAT_HISTORY_SIZE);
    this.chatLimits = new ChatRoom.Limits(config.get(Settings.CHAT_MAX_LENGTH), chatHistorySize,
        config.get(Settings.CHAT_RATE_PER_SECOND), config.get(Settings.CHAT_RATE_BURST),
        config.get(Settings.CHAT_MAX_SLOW_SECONDS), config.get(Settings.CHAT_MAX_FILTER_WORDS));
    this.maxPins = config.get(Settings.PINS_MAX);
    this.maxReactionCount = config.get(Settings.REACTIONS_MAX_COUNT);
    this.historySize = config.get(Settings.LIVE_HISTORY_SIZE);
    this.coalesceMs = config.get(Settings.LIVE_COALESCE_MS);
    this.maxQueuedBytes = config.get(Settings.LIVE_MAX_QUEUED_BYTES);
    this.gopMaxBytes = config.get(Settings.MEDIA_GOP_MAX_BYTES);
    this.sync = stores instanceof io.dropcast.server.store.redis.RedisStores redis
        ? new RedisShowSync(vertx, redis.connector(), historySize) : null;
    register(server.gateway());
    snapshotContributor("lineupProducts", this::lineupProducts);
    server.onClose(this::close);
  }

  /**
   * Installs the chat command every show room consults before posting a message (at most one;
   * a later call replaces it). Call at start-up, from {@code DropcastServer.installFeatures()}.
   */
  public void chatCommand(ChatCommand command) {
    this.chatCommand = command;
  }

  /** Installs the listener of room activity (analytics); call at start-up. A later call replaces it. */
  public void activity(ShowActivity listener) {
    this.activity = listener;
  }

  /**
   * Adds a section {@code key} to every fresh join snapshot (sections are added in key order; a
   * recovery join with {@code lastSeq} reads none). Call at start-up; a later call with the same key
   * replaces the contributor.
   *
   * @throws IllegalArgumentException when {@code key} is one of the room's own snapshot fields
   */
  public void snapshotContributor(String key, SnapshotContributor contributor) {
    if (ShowRoom.SNAPSHOT_FIELDS.contains(key)) {
      throw new IllegalArgumentException("snapshot section '" + key + "' belongs to the show room");
    }
    snapshotContributors.put(key, contributor);
  }

  private void register(SocketGateway gateway) {
    gateway.limit("maxChatLength", chatLimits.maxLength());
    gateway.limit("chatHistorySize", chatHistorySize);
    gateway.limit("chatRatePerSecond", chatLimits.ratePerSecond());
    gateway.limit("chatBurst", chatLimits.rateBurst());
    gateway.limit("maxSlowModeSeconds", chatLimits.maxSlowSeconds());
    gateway.limit("maxFilterWords", chatLimits.maxFilterWords());
    gateway.limit("maxPins", maxPins);
    gateway.limit("maxReactionCount", maxReactionCount);
    gateway.limit("recoveryHistory", historySize);

    gateway.register(Ops.JOIN, Access.ANYONE, this::join);
    gateway.register(Ops.LEAVE, Access.AUTHENTICATED, this::leave);
    roomOp(gateway, Ops.SHOW_START, (v, d) -> v.room.transition(v, Show.State.SCHEDULED, Show.State.LIVE));
    roomOp(gateway, Ops.SHOW_END, (v, d) -> v.room.transition(v, Show.State.LIVE, Show.State.ENDED));
    roomOp(gateway, Ops.SHOW_STATS, (v, d) -> done(v.room.requireModeratorStats(v)));
    roomOp(gateway, Ops.CHAT_SEND, (v, d) -> v.room.chatSend(v, d.hasNonNull("text") && d.get("text").isTextual()
        ? d.get("text").asText() : null));
    roomOp(gateway, Ops.CHAT_DELETE, (v, d) -> done(v.room.chatDelete(v, idField(d, "messageId"))));
    for (String action : List.of("mute", "unmute", "ban", "unban")) {
      roomOp(gateway, "chat." + action, (v, d) -> done(v.room.moderate(v, idField(d, "userId"), action)));
    }
    roomOp(gateway, Ops.CHAT_SLOW, (v, d) -> {
      JsonNode s = d.get("seconds");
      if (s == null || !s.isIntegralNumber() || !s.canConvertToInt()) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'seconds' must be a whole number (0 = off)");
      }
      return done(v.room.slowMode(v, s.asInt()));
    });
    roomOp(gateway, Ops.CHAT_FILTER, (v, d) -> {
      JsonNode words = d.get("words");
      if (words == null || !words.isArray()) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'words' must be an array of strings");
      }
      List<Object> list = new ArrayList<>();
      words.forEach(w -> list.add(w.isTextual() ? w.asText() : w));
      return done(v.room.filter(v, list));
    });
    roomOp(gateway, Ops.CHAT_PIN, (v, d) -> done(v.room.chatPin(v, idField(d, "messageId"))));
    roomOp(gateway, Ops.CHAT_UNPIN, (v, d) -> done(v.room.chatUnpin(v)));
    roomOp(gateway, Ops.REACT, (v, d) -> {
      JsonNode kind = d.get("kind");
      JsonNode count = d.get("count");
      Object countValue = count == null || count.isNull() ? null
          : count.isIntegralNumber() && count.canConvertToLong() ? (Object) count.asLong() : count.toString();
      return done(v.room.react(v, kind != null && kind.isTextual() ? kind.asText() : null, countValue));
    });
    roomOp(gateway, Ops.PIN, (v, d) -> v.room.pinProduct(v, idField(d, "productId")));
    roomOp(gateway, Ops.UNPIN, (v, d) -> v.room.unpinProduct(v, idField(d, "productId")));
    gateway.mediaHandler(this::onMedia);
  }

  @FunctionalInterface
  private interface RoomOp {
    Future<?> run(Viewer viewer, com.fasterxml.jackson.databind.node.ObjectNode data);
  }

  private static Future<Object> done(Object value) {
    return Future.succeededFuture(value);
  }

  /** Registers an op that needs membership of the request's show and runs on the room's loop. */
  private void roomOp(SocketGateway gateway, String op, RoomOp handler) {
    gateway.register(op, Access.AUTHENTICATED, (c, request) -> {
      Viewer v = member(c, request);
      return v.room.call(v, () -> {
        @SuppressWarnings("unchecked")
        Future<Object> result = (Future<Object>) handler.run(v, request.data());
        return result;
      });
    });
  }

  private static Viewer member(ClientConnection c, Request request) {
    if (request.show() == null) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'show' is required for " + request.op());
    }
    Viewer v = c.attachment(VIEWER);
    if (v == null || !v.room.id.equals(request.show())) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "you are not in show " + request.show() + "; join it first");
    }
    return v;
  }

  private static String idField(JsonNode data, String field) {
    JsonNode node = data.get(field);
    if (node == null || !node.isTextual() || node.asText().isEmpty() || node.asText().length() > MAX_ID_LENGTH) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          "field '" + field + "' must be a string of 1 to " + MAX_ID_LENGTH + " characters");
    }
    return node.asText();
  }

  // ------------------------------------------------------------------------------------ join / leave

  private Future<?> join(ClientConnection c, Request request) {
    String showId = request.show() != null ? request.show()
        : request.data().hasNonNull("show") && request.data().get("show").isTextual()
            ? request.data().get("show").asText() : null;
    if (showId == null || showId.isEmpty() || showId.length() > MAX_ID_LENGTH) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'show' must name a show");
    }
    JsonNode last = request.data().get("lastSeq");
    Long lastSeq = null;
    if (last != null && !last.isNull()) {
      if (!last.isIntegralNumber() || !last.canConvertToLong() || last.asLong() < 0) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'lastSeq' must be a whole number >= 0");
      }
      lastSeq = last.asLong();
    }
    Identity identity = c.identity();
    Viewer previous = c.attachment(VIEWER);
    Long from = lastSeq;
    // Every join reads the show: the brand's edits (host, guests, title, sponsorship) apply to the next
    // join, and a deleted show is NOT_FOUND even though its room is still here.
    Future<Object> joined = room(showId).compose(room -> stores.shows().get(showId).compose(stored -> {
      if (stored == null) {
        return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no show " + showId));
      }
      return contributions(stored, identity, from).compose(sections -> {
        Promise<Object> reply = Promise.promise();
        room.execute(() -> room.join(c, identity, previous, from, stored, sections, reply, null));
        return reply.future();
      });
    }).onComplete(ar -> room.pendingJoins.decrementAndGet()));
    Promise<Object> onLoop = Promise.promise();
    joined.onComplete(ar -> completeOn(c, onLoop, ar));
    return onLoop.future();
  }

  /** The lineup as product cards, for the host's and moderators' pin controls; null for others. */
  private Future<?> lineupProducts(Show roomShow, Identity who) {
    if (who == null || !who.role().moderates()) {
      return Future.succeededFuture();
    }
    return stores.shows().get(roomShow.id()).compose(fresh -> {
      Show show = fresh == null ? roomShow : fresh;
      List<Future<io.dropcast.server.catalog.Product>> reads = show.lineup().stream()
          .map(id -> stores.products().get(id)).toList();
      return Future.all(reads).map(all -> {
        List<Map<String, Object>> cards = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
          io.dropcast.server.catalog.Product p = all.resultAt(i);
          if (p != null && p.brandId().equals(show.brandId())) {
            Map<String, Object> card = new java.util.LinkedHashMap<>();
            card.put("productId", p.id());
            card.put("title", p.title());
            card.put("priceMinor", p.priceMinor());
            card.put("currency", p.currency());
            card.put("imageUrl", p.imageUrl());
            cards.add(card);
          }
        }
        return cards;
      });
    });
  }

  /** Marks a section whose read failed: it is sent as null, while a section that answered null is left out. */
  private static final Object FAILED_SECTION = new Object();

  /**
   * @return the contributed snapshot sections of a fresh snapshot, by key: a section that answered
   *     null is left out, one that failed is null; none for a recovery join
   */
  private Future<Map<String, Object>> contributions(Show show, Identity who, Long lastSeq) {
    if (snapshotContributors.isEmpty() || lastSeq != null) {
      return Future.succeededFuture(Map.of());
    }
    List<String> keys = new ArrayList<>();
    List<Future<Object>> reads = new ArrayList<>();
    snapshotContributors.forEach((key, contributor) -> {
      Future<?> read;
      try {
        read = contributor.contribute(show, who);
      } catch (RuntimeException e) {
        read = Future.failedFuture(e);
      }
      keys.add(key);
      reads.add(read.<Object>map(v -> v).otherwise(e -> {
        LOG.warn("snapshot section {} of show {} failed: {}", key, show.id(), e.toString());
        return FAILED_SECTION;
      }));
    });
    return Future.all(reads).map(all -> {
      Map<String, Object> sections = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        Object value = all.resultAt(i);
        if (value == FAILED_SECTION) {
          sections.put(keys.get(i), null);
        } else if (value != null) {
          sections.put(keys.get(i), value);
        }
      }
      return sections;
    });
  }

  /**
   * Whether a user is banned from a show, as the show's room on this node knows it (bans live in
   * the room, see {@code chat.ban}). Any thread: the question hops onto the room's loop, and the
   * answer is delivered on the caller's context when called from one.
   *
   * @return true when banned; false when the show has no room on this node (nobody was banned here)
   */
  public Future<Boolean> isBanned(String showId, String userId) {
    ShowRoom room = rooms.get(showId);
    if (room == null) {
      return sync == null ? Future.succeededFuture(false) : sync.isBanned(showId, userId);
    }
    ContextInternal caller = vertx.getContext();
    Promise<Boolean> answer = caller != null ? caller.promise() : Promise.promise();
    room.execute(() -> {
      try {
        answer.complete(room.isBanned(userId));
      } catch (RuntimeException e) {
        answer.fail(e);
      }
    });
    return answer.future();
  }

  /** Called on the viewer's loop once the room admitted it: attach, reply, then catch up. */
  void admitted(Viewer v, Identity guest, Object reply, List<ByteBuf> missed, List<RelayFrame> media,
                Promise<Object> promise) {
    ClientConnection c = v.connection;
    if (!c.isOpen()) {
      missed.forEach(ByteBuf::release);
      media.forEach(RelayFrame::release);
      v.room.execute(() -> v.room.removeMember(v));
      promise.tryFail(new ProtocolException(ErrorCode.UNAVAILABLE, "connection closed"));
      return;
    }
    try {
      detach(c);
      if (guest != null && c.identity() == null) {
        c.identity(guest);
      }
      c.attach(VIEWER, v);
      if (c.attachment(CLOSE_HOOK) == null) {
        c.attach(CLOSE_HOOK, Boolean.TRUE);
        c.onClose(() -> detach(c));
      }
      v.group.add(v);
    } catch (RuntimeException e) {
      // Unexpected: undo the membership everywhere and answer once, rather than leave a phantom member.
      LOG.error("admission to show {} failed", v.room.id, e);
      if (c.attachment(VIEWER) == v) {
        c.attach(VIEWER, null);
      }
      v.group.remove(v);
      v.room.execute(() -> v.room.removeMember(v));
      missed.forEach(ByteBuf::release);
      media.forEach(RelayFrame::release);
      promise.tryFail(new ProtocolException(ErrorCode.INTERNAL, "internal error"));
      return;
    }
    promise.complete(reply);
    for (ByteBuf event : missed) {
      try {
        v.group.writeEvent(v, event);
      } finally {
        event.release();
      }
    }
    for (RelayFrame frame : media) {
      try {
        v.group.writeMedia(v, frame);
      } finally {
        frame.release();
      }
    }
  }

  /** Leaves the connection's current show, if any (connection's loop). */
  private static void detach(ClientConnection c) {
    Viewer v = c.attachment(VIEWER);
    if (v != null) {
      c.attach(VIEWER, null);
      v.group.remove(v);
      v.room.execute(() -> v.room.removeMember(v));
    }
  }

  /** Detaches a viewer the room already dropped, leaving its socket open (any thread; hops to its loop). */
  void dropMembership(Viewer v) {
    v.group.context.runOnContext(x -> {
      ClientConnection c = v.connection;
      if (c.attachment(VIEWER) == v) {
        c.attach(VIEWER, null);
      }
      v.group.remove(v);
    });
  }

  /** Removes a viewer the room already dropped, and closes its socket (viewer's loop). */
  void kick(Viewer v, int code, String reason) {
    ClientConnection c = v.connection;
    if (c.attachment(VIEWER) == v) {
      c.attach(VIEWER, null);
    }
    v.group.remove(v);
    c.close(code, reason);
  }

  private Future<?> leave(ClientConnection c, Request request) {
    Viewer v = c.attachment(VIEWER);
    if (v == null || (request.show() != null && !v.room.id.equals(request.show()))) {
      return Future.succeededFuture(Map.of("left", false));
    }
    detach(c);
    return Future.succeededFuture(Map.of("left", true, "show", v.room.id));
  }

  /** Completes {@code promise} on the connection's loop (the gateway replies from there). */
  static <T> void completeOn(ClientConnection c, Promise<T> promise, AsyncResult<T> result) {
    ContextInternal ctx = (ContextInternal) c.context();
    if (ctx.nettyEventLoop().inEventLoop()) {
      promise.handle(result);
    } else {
      ctx.runOnContext(v -> promise.handle(result));
    }
  }

  // ------------------------------------------------------------------------------------ rooms

  /**
   * @return the show's room, created (on a round-robin event loop) on first use, with one
   *     {@link ShowRoom#pendingJoins} counted for the caller (who must count it down); NOT_FOUND for no show
   */
  private Future<ShowRoom> room(String showId) {
    Promise<ShowRoom> created;
    synchronized (loading) {
      ShowRoom room = rooms.get(showId);
      if (room != null) {
        room.pendingJoins.incrementAndGet();
        return Future.succeededFuture(room);
      }
      Future<ShowRoom> pending = loading.get(showId);
      if (pending != null) {
        return pending.map(r -> {
          r.pendingJoins.incrementAndGet();
          return r;
        });
      }
      created = Promise.promise();
      loading.put(showId, created.future());
    }
    stores.shows().get(showId)
        .compose(show -> show == null
            ? Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no show " + showId))
            : stores.chatHistory().recent(showId, chatHistorySize).compose(history -> {
              ShowRoom r = new ShowRoom(this, vertx.createEventLoopContext(), show, history);
              return sync == null ? Future.succeededFuture(r) : attach(r);
            }))
        .onComplete(ar -> {
          synchronized (loading) {
            loading.remove(showId);
            if (ar.succeeded()) {
              ar.result().pendingJoins.incrementAndGet();
              rooms.put(showId, ar.result());
            }
          }
          created.handle(ar);
        });
    return created.future();
  }

  /** Cross-node: subscribes a new room to its show, then loads the show's replicated state into it. */
  private Future<ShowRoom> attach(ShowRoom room) {
    return sync.attach(room).compose(v -> sync.load(room.id)).compose(loaded -> sync.mediaConfigs(room.id)
        .otherwise(e -> List.of()).compose(configs -> {
          Promise<ShowRoom> ready = Promise.promise();
          room.execute(() -> {
            room.adoptLoaded(loaded, configs);
            ready.complete(room);
          });
          return ready.future();
        })).onFailure(e -> {
      sync.detach(room);
      room.execute(room::close);
    });
  }

  /**
   * Cross-node: retires a room that has had no members for a while (room thread), unless a join is
   * on its way; this node unsubscribes from the show and forgets its state.
   */
  void retire(ShowRoom room) {
    synchronized (loading) {
      if (room.pendingJoins.get() > 0 || !room.members().isEmpty() || rooms.get(room.id) != room) {
        return;
      }
      rooms.remove(room.id);
    }
    sync.detach(room);
    sync.reportViewers(room.id, 0);
    room.close();
  }

  // ------------------------------------------------------------------------------------ media

  /**
   * A binary frame from a client (its loop). Only a joined host of a live show may send media;
   * the header is validated in place, then the frame is copied ONCE into a direct buffer that all
   * viewers share, and handed to the room in arrival order.
   */
  private void onMedia(ClientConnection c, ByteBuf in) {
    Viewer v = c.attachment(VIEWER);
    if (v == null || v.identity.role() != Role.HOST) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only the show's host may send media; join the show with a host token");
    }
    MediaFrame.Header header = MediaFrame.readHeader(in.nioBuffer());
    ShowRoom room = v.room;
    if (room.state != Show.State.LIVE) {
      throw new ProtocolException(ErrorCode.CONFLICT, "show " + room.id + " is not live; send show.start first");
    }
    int size = in.readableBytes();
    if (room.ingestBytes.get() + size > gopMaxBytes) {
      room.countDrop();
      return;
    }
    if (sync != null) {
      sync.publishMedia(room.id, in, header);
    }
    ByteBuf shared = WireFrames.copyOf(in, true);
    room.ingestBytes.addAndGet(shared.readableBytes());
    RelayFrame relay = new RelayFrame(shared, header);
    room.execute(() -> room.relay(relay, c));
  }

  // ------------------------------------------------------------------------------------ ShowEvents

  @Override
  public void publish(String showId, String event, Object data) {
    if (sync != null) {
      // Straight to every node's viewers, whether or not this node has the show's room.
      sync.publish(showId, event, data, null, null)
          .onFailure(e -> LOG.warn("event {} of show {} not published: {}", event, showId, e.toString()));
      return;
    }
    ShowRoom room = rooms.get(showId);
    if (room != null) {
      room.execute(() -> room.publish(event, data));
    }
  }

  @Override
  public void publishCoalesced(String showId, String key, String event, Object data) {
    ShowRoom room = rooms.get(showId);
    if (room != null) {
      room.execute(() -> room.publishCoalesced(key, event, data));
    } else if (sync != null) {
      publish(showId, event, data);
    }
  }

  @Override
  public void publishVersioned(String showId, String key, long version, String event, Object data) {
    if (sync != null) {
      sync.publish(showId, event, data, null, null, key, version)
          .onFailure(e -> LOG.warn("event {} of show {} not published: {}", event, showId, e.toString()));
      return;
    }
    ShowRoom room = rooms.get(showId);
    if (room != null) {
      room.execute(() -> room.publishVersioned(key, version, event, data));
    }
  }

  @Override
  public Future<Void> publishOnce(String showId, String onceKey, String event, Object data) {
    if (sync != null) {
      return sync.publish(showId, event, data, null, onceKey).mapEmpty();
    }
    ShowRoom room = rooms.get(showId);
    if (room != null) {
      room.execute(() -> room.publishOnce(onceKey, event, data));
    }
    return Future.succeededFuture();
  }

  /**
   * Tells every node, this one included, something that is not a show event (e.g. a waitlist offer
   * for a buyer who may be connected to any node). Fire and forget: not kept, not retried; a node
   * that is down misses it. Any thread.
   */
  public void broadcast(String topic, Object payload) {
    if (sync != null) {
      sync.broadcast(topic, payload);
    } else {
      JsonNode tree = io.dropcast.protocol.JsonCodec.mapper().valueToTree(payload);
      java.util.function.Consumer<JsonNode> listener = broadcastListeners.get(topic);
      if (listener != null) {
        vertx.runOnContext(v -> listener.accept(tree));
      }
    }
  }

  /** Listens to a {@link #broadcast} topic (one listener per topic); call at start-up. */
  public void onBroadcast(String topic, java.util.function.Consumer<JsonNode> listener) {
    broadcastListeners.put(topic, listener);
    if (sync != null) {
      sync.onBroadcast(topic, listener);
    }
  }

  private void close() {
    for (ShowRoom room : rooms.values()) {
      room.execute(room::close);
    }
    if (sync != null) {
      sync.close();
    }
  }
}
