package io.dropcast.server.live;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.message.Event;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.chat.ChatCommand;
import io.dropcast.server.chat.ChatMessage;
import io.dropcast.server.chat.ChatRoom;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.media.GopCache;
import io.dropcast.server.media.RelayFrame;
import io.dropcast.server.pin.ProductPin;
import io.dropcast.server.pin.ProductPins;
import io.dropcast.server.reaction.Reactions;
import io.dropcast.server.show.Show;
import io.dropcast.server.util.Ids;
import io.netty.buffer.ByteBuf;
import io.dropcast.server.gateway.WireFrames;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The live state of one show on this node: lifecycle, members and viewer counts, the sequence
 * number and bounded recovery history, coalesced counters, chat, product pins, reactions and the
 * GOP cache; and the fan-out of events and media frames to the show's viewers.
 *
 * <p>Threading model: the room is confined to ONE owner context (an event-loop context picked
 * round-robin when the room is created). Every field without a comment saying otherwise is read
 * and written only on that loop. Ops arrive on the caller's connection loop and hop here with
 * {@link #call}; their result hops back to the connection's loop before the reply is sent. Media
 * frames hop here in the order the host sent them. Nothing here blocks: store calls return
 * futures whose continuations are brought back onto this loop ({@link #onRoom}).
 *
 * <p>Fan-out: viewers are grouped by their event loop ({@link LoopGroup}). An event is encoded once
 * into one direct {@link ByteBuf}; the room submits one task per loop that has viewers, each
 * holding one reference, and the loop writes retained duplicates to its viewers and flushes once.
 * Because each loop's task queue is FIFO and the room submits a joining viewer's admission to its
 * loop after every event with a lower seq, a viewer receives exactly the events after its snapshot,
 * in seq order, after its join reply.
 *
 * <p>Buffers: the recovery history holds one reference per kept event and releases it on eviction;
 * the GOP cache likewise for media. {@link #close()} releases everything.
 */
final class ShowRoom {
  final String id;
  final ContextInternal context;
  private final LiveShows live;

  /** Written on the room thread; read by joins on other threads (an immutable record). */
  private volatile Show show;
  /** Written on the room thread, read by hosts' loops to refuse media before start/after end. */
  volatile Show.State state;
  private boolean transitioning;

  private long seq;
  private final Deque<Sequenced> history = new ArrayDeque<>();
  private final Map<String, Coalesced> coalesced = new LinkedHashMap<>();
  private boolean coalesceTimerSet;

  private final Set<Viewer> members = new LinkedHashSet<>();
  private final Map<EventLoop, LoopGroup> groups = new HashMap<>();
  private int peak;

  private final ChatRoom chat;
  private final ProductPins pins;
  private final Reactions reactions;
  private final GopCache gop;
  private Long lastMediaTimestamp;
  private long mediaFramesIn;
  /** Incremented from viewers' loops. */
  private final AtomicLong mediaFramesDropped = new AtomicLong();
  /** Largest outbound queue seen for a non-writable viewer (bytes); updated from viewers' loops. */
  private final AtomicLong maxQueuedBytes = new AtomicLong();
  /** Media bytes accepted from the host and not yet processed here: bounds this loop's queue. */
  final AtomicLong ingestBytes = new AtomicLong();
  private boolean closed;

  /** Top-level fields of a snapshot; {@link LiveShows#snapshotContributor} sections may not reuse them. */
  static final Set<String> SNAPSHOT_FIELDS = Set.of("recovered", "seq", "missed", "show", "you", "pins", "chat",
      "viewers", "reactions", "stats");

  private record Sequenced(long seq, ByteBuf bytes) {}

  private record Coalesced(String event, Object data) {}

  ShowRoom(LiveShows live, ContextInternal context, Show show, List<ChatMessage> chatHistory) {
    this.live = live;
    this.context = context;
    this.id = show.id();
    this.show = show;
    this.state = show.state();
    this.chat = new ChatRoom(live.chatLimits, chatHistory);
    this.pins = new ProductPins(live.maxPins);
    this.reactions = new Reactions(live.maxReactionCount);
    this.gop = new GopCache(live.gopMaxBytes);
  }

  // ------------------------------------------------------------------------------------ threading

  /** Runs a task on the room's loop (from any thread, always queued). */
  void execute(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  /**
   * Runs an op on the room's loop, checking first that the viewer is still a member, and completes
   * the returned future on the connection's loop.
   */
  <T> Future<T> call(Viewer viewer, Supplier<Future<T>> action) {
    Promise<T> reply = Promise.promise();
    ClientConnection c = viewer.connection;
    execute(() -> {
      Future<T> result;
      try {
        if (!members.contains(viewer)) {
          chat.checkNotBanned(viewer.identity.userId());
          throw new ProtocolException(ErrorCode.FORBIDDEN, "you are not in show " + id + "; join it first");
        }
        result = action.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> LiveShows.completeOn(c, reply, ar));
    });
    return reply.future();
  }

  /** @return a future completed on the room's loop with the outcome of {@code f} */
  private <T> Future<T> onRoom(Future<T> f) {
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (context.nettyEventLoop().inEventLoop()) {
        p.handle(ar);
      } else {
        execute(() -> p.handle(ar));
      }
    });
    return p.future();
  }

  // ------------------------------------------------------------------------------------ membership

  /**
   * Admits a connection (room thread). On success the viewer is added to its loop's group and the
   * reply (snapshot or recovery) is completed there, followed by missed events and the GOP cache.
   *
   * @param identity the connection's identity, or null for a guest
   * @param previous the connection's current membership (any show), or null
   * @param lastSeq the client's last seen seq, or null for a fresh snapshot
   * @param stored the show as the store had it when the join was made
   * @param sections other features' snapshot sections ({@link SnapshotContributor}), by key
   */
  void join(ClientConnection c, Identity identity, Viewer previous, Long lastSeq, Show stored,
            Map<String, Object> sections, Promise<Object> reply) {
    Identity who;
    try {
      adopt(stored);
      who = admit(identity);
    } catch (RuntimeException e) { // a refusal (ProtocolException), or unexpected: the gateway answers INTERNAL
      LiveShows.completeOn(c, reply, Future.failedFuture(e));
      return;
    }
    // From here on the room holds state for this join (membership, retained buffers). Any unexpected
    // failure undoes it and answers INTERNAL, so a join always gets exactly one reply and never
    // leaves a phantom member. Nothing may be added after the admission task is submitted.
    boolean replaced = false;
    Viewer viewer = null;
    List<ByteBuf> missed = new ArrayList<>();
    List<RelayFrame> media = List.of();
    try {
      if (previous != null && previous.room == this) {
        removeMember(previous); // a re-join replaces the connection's membership; its loop detaches it
        replaced = true;
      }
      EventLoop loop = ((ContextInternal) c.context()).nettyEventLoop();
      LoopGroup group = groups.computeIfAbsent(loop, l -> new LoopGroup((ContextInternal) c.context(), live));
      viewer = new Viewer(this, c, who, group);
      members.add(viewer);
      group.members++;
      peak = Math.max(peak, members.size());
      live.activity.viewerJoined(show, who, c);
      publishViewerCount();

      Map<String, Object> data;
      if (lastSeq != null && canRecover(lastSeq)) {
        for (Sequenced s : history) {
          if (s.seq() > lastSeq) {
            missed.add(s.bytes().retain());
          }
        }
        data = new LinkedHashMap<>();
        data.put("recovered", true);
        data.put("seq", seq);
        data.put("missed", missed.size());
        data.put("you", who.toUserInfo());
      } else {
        data = snapshot(who);
        data.putAll(sections);
      }
      media = gop.snapshot();
      List<ByteBuf> missedEvents = missed;
      List<RelayFrame> frames = media;
      Identity guest = identity == null ? who : null;
      Viewer admitted = viewer;
      group.context.runOnContext(v -> live.admitted(admitted, guest, data, missedEvents, frames, reply));
    } catch (RuntimeException e) {
      LiveShows.LOG.error("join of show {} failed", id, e);
      if (viewer != null) {
        removeMember(viewer);
      }
      if (replaced) {
        // The previous membership is gone from the room: drop it on its loop too (the socket stays open).
        live.dropMembership(previous);
      }
      missed.forEach(ByteBuf::release);
      media.forEach(RelayFrame::release);
      LiveShows.completeOn(c, reply, Future.failedFuture(new ProtocolException(ErrorCode.INTERNAL, "internal error")));
    }
  }

  /**
   * Takes the brand's latest edits of the show (PATCH works while it is scheduled: title, host,
   * guests, sponsorship, lineup) from a store read made for a join (room thread). The room's own
   * lifecycle wins: a read that raced a state change, or an older read, changes nothing. A new host
   * is never muted or banned (the previous host may have done so before the hand-over).
   */
  private void adopt(Show stored) {
    if (!transitioning && stored.state() == show.state() && !stored.updatedAt().isBefore(show.updatedAt())) {
      if (!stored.hostUserId().equals(show.hostUserId())) {
        chat.ban(stored.hostUserId(), false);
        chat.mute(stored.hostUserId(), false);
      }
      show = stored;
    }
  }

  private Identity admit(Identity identity) {
    if (identity == null || identity.role() == Role.GUEST) {
      Identity guest = identity != null ? identity
          : new Identity(Ids.newId("guest"), "Guest", Role.GUEST, null, id, null);
      if (!guest.admits(show)) {
        throw new ProtocolException(ErrorCode.UNAUTHORIZED, "show " + id + " does not allow guests; connect with a token");
      }
      return guest;
    }
    if (!show.brandId().equals(identity.brandId())) {
      // Another brand's show answers exactly like a show that does not exist.
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no show " + id);
    }
    if (!identity.admits(show)) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "your token does not admit show " + id);
    }
    requireCurrentHost(identity, show);
    chat.checkNotBanned(identity.userId());
    return identity;
  }

  private boolean canRecover(long lastSeq) {
    if (lastSeq > seq || lastSeq < 0) {
      return false;
    }
    long oldest = history.isEmpty() ? seq + 1 : history.peekFirst().seq();
    return lastSeq >= oldest - 1;
  }

  /** Removes a member (room thread); idempotent. */
  void removeMember(Viewer v) {
    if (!members.remove(v)) {
      return;
    }
    v.group.members--;
    live.activity.viewerLeft(show, v.identity, v.connection);
    publishViewerCount();
    if (members.isEmpty() && state == Show.State.ENDED) {
      shed();
    }
  }

  private void publishViewerCount() {
    publishCoalesced("viewers", Events.VIEWERS, viewerCount());
  }

  private Map<String, Object> viewerCount() {
    return Map.of("current", members.size(), "peak", peak);
  }

  private Map<String, Object> snapshot(Identity who) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("recovered", false);
    data.put("seq", seq);
    data.put("show", showInfo());
    data.put("you", who.toUserInfo());
    data.put("pins", pins.list());
    Map<String, Object> chatData = new LinkedHashMap<>();
    chatData.put("messages", chat.recent());
    chatData.put("pinned", chat.pinned());
    chatData.put("slowModeSeconds", chat.slowModeSeconds());
    data.put("chat", chatData);
    data.put("viewers", viewerCount());
    data.put("reactions", reactions.totals());
    data.put("stats", stats());
    return data;
  }

  /** @return true when the user is banned from this show (room thread) */
  boolean isBanned(String userId) {
    return chat.isBanned(userId);
  }

  /** @return the show (any thread; the latest state the room saw) */
  Show show() {
    return show;
  }

  Map<String, Object> showInfo() {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("id", show.id());
    info.put("brandId", show.brandId());
    info.put("title", show.title());
    info.put("state", show.state().wireName());
    info.put("sponsored", show.sponsored());
    info.put("guestsAllowed", show.guestsAllowed());
    info.put("scheduledStart", iso(show.scheduledStart()));
    info.put("startedAt", iso(show.startedAt()));
    info.put("endedAt", iso(show.endedAt()));
    info.put("lineup", show.lineup());
    return info;
  }

  Map<String, Object> stats() {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("viewers", members.size());
    stats.put("peakViewers", peak);
    stats.put("seq", seq);
    stats.put("mediaFramesReceived", mediaFramesIn);
    stats.put("mediaFramesDropped", mediaFramesDropped.get());
    stats.put("gopBytes", gop.gopBytes());
    stats.put("maxQueuedBytes", maxQueuedBytes.get());
    return stats;
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }

  // ------------------------------------------------------------------------------------ events

  /** Publishes a sequenced event to every member (room thread). */
  void publish(String event, Object data) {
    if (closed) {
      return;
    }
    ByteBuf bytes = WireFrames.json(new Event(id, seq + 1, event, data)); // throws before the seq is used
    seq++;
    live.metrics.eventsPublished.increment();
    for (LoopGroup g : groups.values()) {
      if (g.members > 0) {
        bytes.retain();
        g.context.runOnContext(v -> g.deliverEvent(bytes));
      }
    }
    if (live.historySize > 0) {
      history.addLast(new Sequenced(seq, bytes));
      while (history.size() > live.historySize) {
        history.removeFirst().bytes().release();
      }
    } else {
      bytes.release();
    }
  }

  /** Coalesces a latest-value-wins event (room thread): at most one per key per interval. */
  void publishCoalesced(String key, String event, Object data) {
    if (closed) {
      return;
    }
    coalesced.put(key, new Coalesced(event, data));
    if (!coalesceTimerSet) {
      coalesceTimerSet = true;
      context.setTimer(live.coalesceMs, t -> flushCoalesced());
    }
  }

  private void flushCoalesced() {
    coalesceTimerSet = false;
    List<Coalesced> due = new ArrayList<>(coalesced.values());
    coalesced.clear();
    for (Coalesced c : due) {
      publish(c.event(), c.data());
    }
  }

  // ------------------------------------------------------------------------------------ media

  /** Relays a host's frame to every viewer and updates the GOP cache (room thread). */
  void relay(RelayFrame frame, ClientConnection sender) {
    ingestBytes.addAndGet(-frame.size());
    try {
      if (state != Show.State.LIVE || closed) {
        return;
      }
      mediaFramesIn++;
      live.metrics.mediaFramesIn.increment();
      if (frame.header().kind() != io.dropcast.protocol.media.MediaFrame.Kind.CONFIG) {
        lastMediaTimestamp = frame.header().timestampMicros();
      }
      gop.add(frame);
      boolean config = frame.header().kind() == io.dropcast.protocol.media.MediaFrame.Kind.CONFIG;
      for (LoopGroup g : groups.values()) {
        if (g.members == 0) {
          continue;
        }
        if (!config && g.pendingMediaBytes.get() > live.maxQueuedBytes) {
          // That loop is behind: skip it, its viewers resync at the next keyframe.
          g.lagged = true;
          countDrops(g.members);
          continue;
        }
        g.pendingMediaBytes.addAndGet(frame.size());
        frame.retain();
        g.context.runOnContext(v -> g.deliverMedia(frame, sender));
      }
    } finally {
      frame.release();
    }
  }

  /** Records the outbound queue of a viewer that was not writable (any thread). */
  void observeQueued(long bytes) {
    if (bytes > maxQueuedBytes.get()) {
      maxQueuedBytes.accumulateAndGet(bytes, Math::max);
    }
  }

  /** Counts one frame not delivered to a viewer (any thread). */
  void countDrop() {
    countDrops(1);
  }

  void countDrops(int n) {
    mediaFramesDropped.addAndGet(n);
    live.metrics.mediaDrops.increment(n);
  }

  // ------------------------------------------------------------------------------------ lifecycle ops

  /** show.start / show.end (room thread): host only, forward only, persisted before announced. */
  Future<Object> transition(Viewer v, Show.State from, Show.State to) {
    if (v.identity.role() != Role.HOST) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only the show's host may start or end it");
    }
    if (transitioning) {
      throw new ProtocolException(ErrorCode.CONFLICT, "a state change of this show is in progress");
    }
    if (show.state() != from) {
      throw new ProtocolException(ErrorCode.CONFLICT, "show is " + show.state().wireName()
          + "; only a " + from.wireName() + " show can become " + to.wireName());
    }
    transitioning = true;
    Future<Show> saved = live.stores.shows().get(id).compose(fresh -> {
      if (fresh == null) {
        return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "show " + id + " no longer exists"));
      }
      requireCurrentHost(v.identity, fresh);
      if (fresh.state() != from) {
        return Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT, "show is " + fresh.state().wireName()));
      }
      return live.stores.shows().update(fresh.withState(to, live.clock.instant()));
    });
    return onRoom(saved).transform(ar -> {
      transitioning = false;
      if (ar.failed()) {
        return Future.failedFuture(ar.cause());
      }
      show = ar.result();
      state = show.state();
      if (state == Show.State.ENDED) {
        gop.clear();
      }
      Map<String, Object> info = showInfo();
      publish(Events.SHOW_STATE, info);
      return Future.succeededFuture(info);
    });
  }

  Map<String, Object> requireModeratorStats(Viewer v) {
    requireModerator(v);
    return stats();
  }

  // ------------------------------------------------------------------------------------ chat ops

  /** chat.send (room thread): a text the chat command matches runs it instead of being posted. */
  Future<Object> chatSend(Viewer v, Object text) {
    ChatCommand command = live.chatCommand;
    if (command != null && text instanceof String s && command.matches(s.strip())) {
      // A banned user is no longer a member (call() answers BANNED); checked again so that no
      // command (e.g. comment-to-buy) ever runs for a banned writer.
      chat.checkNotBanned(v.identity.userId());
      List<String> pinned = new ArrayList<>();
      pins.list().forEach(p -> pinned.add(0, p.productId()));
      return command.run(new ChatCommand.Invocation(id, v.identity, Ids.newId("msg"), s.strip(), pinned));
    }
    ChatMessage m = chat.send(v.identity, text, live.clock.millis(), System.nanoTime());
    live.activity.chatPosted(show, v.identity);
    publish(Events.CHAT_MESSAGE, m);
    if (live.chatHistorySize > 0) {
      live.stores.chatHistory().append(id, m, live.chatHistorySize)
          .onFailure(e -> LiveShows.LOG.warn("chat history append failed for {}: {}", id, e.toString()));
    }
    return Future.succeededFuture(m);
  }

  Object chatDelete(Viewer v, String messageId) {
    requireModerator(v);
    boolean wasPinned = chat.delete(messageId);
    live.stores.chatHistory().delete(id, messageId)
        .onFailure(e -> LiveShows.LOG.warn("chat history delete failed for {}: {}", id, e.toString()));
    publish(Events.CHAT_DELETED, Map.of("messageId", messageId, "by", v.identity.userId()));
    if (wasPinned) {
      publish(Events.CHAT_PINNED, pinnedData());
    }
    return Map.of("messageId", messageId);
  }

  Object moderate(Viewer v, String userId, String action) {
    requireModerator(v);
    if (userId.equals(v.identity.userId())) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "you cannot " + action + " yourself");
    }
    if (userId.equals(show.hostUserId())) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "the show's host cannot be muted or banned");
    }
    boolean changed = switch (action) {
      case "mute" -> chat.mute(userId, true);
      case "unmute" -> chat.mute(userId, false);
      case "ban" -> chat.ban(userId, true);
      case "unban" -> chat.ban(userId, false);
      default -> throw new IllegalArgumentException(action);
    };
    String done = switch (action) {
      case "mute" -> "muted";
      case "unmute" -> "unmuted";
      case "ban" -> "banned";
      default -> "unbanned";
    };
    if (action.equals("ban")) {
      for (Viewer m : new ArrayList<>(members)) {
        if (m.identity.userId().equals(userId)) {
          removeMember(m);
          m.group.context.runOnContext(x -> live.kick(m, Protocol.CLOSE_BANNED, "banned from show " + id));
        }
      }
    }
    if (changed) {
      publish(Events.USER_MODERATED, Map.of("userId", userId, "action", done, "by", v.identity.userId()));
    }
    return Map.of("userId", userId, "action", done, "changed", changed);
  }

  Object slowMode(Viewer v, int seconds) {
    requireModerator(v);
    chat.slowMode(seconds);
    publish(Events.CHAT_SETTINGS, chatSettings());
    return chatSettings();
  }

  Object filter(Viewer v, List<?> words) {
    requireModerator(v);
    List<String> inForce = chat.filter(words);
    publish(Events.CHAT_SETTINGS, chatSettings());
    return Map.of("words", inForce);
  }

  Object chatPin(Viewer v, String messageId) {
    requireModerator(v);
    chat.pin(messageId);
    publish(Events.CHAT_PINNED, pinnedData());
    return pinnedData();
  }

  Object chatUnpin(Viewer v) {
    requireModerator(v);
    if (chat.unpin()) {
      publish(Events.CHAT_PINNED, pinnedData());
    }
    return pinnedData();
  }

  private Map<String, Object> pinnedData() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("message", chat.pinned());
    return data;
  }

  private Map<String, Object> chatSettings() {
    return Map.of("slowModeSeconds", chat.slowModeSeconds(), "filterActive", !chat.filterWords().isEmpty());
  }

  // ------------------------------------------------------------------------------------ reactions, pins

  Object react(Viewer v, Object kind, Object count) {
    reactions.add(kind, count);
    live.activity.reacted(show, v.identity, count instanceof Number n ? n.longValue() : 1);
    publishCoalesced("reactions", Events.REACTIONS, reactions.totals());
    return null;
  }

  Future<Object> pinProduct(Viewer v, String productId) {
    requireModerator(v);
    if (pins.contains(productId)) {
      return Future.succeededFuture(pinsData(null, null));
    }
    pins.checkRoom();
    Long mediaTimestamp = lastMediaTimestamp;
    long now = live.clock.millis();
    Future<ProductPin> card = live.stores.shows().get(id).compose(fresh -> {
      Show current = fresh == null ? show : fresh;
      if (!current.lineup().contains(productId)) {
        return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND,
            "product " + productId + " is not in this show's lineup"));
      }
      return live.stores.products().get(productId).compose(p -> {
        if (p == null || !p.brandId().equals(show.brandId())) {
          return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no product " + productId));
        }
        return Future.succeededFuture(ProductPin.of(p, mediaTimestamp, now));
      });
    });
    return onRoom(card).compose(pin -> {
      if (!pins.contains(productId)) {
        pins.add(pin);
        live.activity.pinned(show, productId);
        publish(Events.PINS, pinsData("pinned", productId));
      }
      return Future.succeededFuture(pinsData(null, null));
    });
  }

  Object unpinProduct(Viewer v, String productId) {
    requireModerator(v);
    pins.remove(productId);
    live.activity.unpinned(show, productId);
    publish(Events.PINS, pinsData("unpinned", productId));
    return pinsData(null, null);
  }

  private Map<String, Object> pinsData(String action, String productId) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("pins", pins.list());
    if (action != null) {
      data.put("action", action);
      data.put("productId", productId);
    }
    return data;
  }

  /**
   * A host token admits its holder only while they are the show's {@code hostUserId}: a PATCH of the
   * host hands the show over, and older host tokens stop working.
   *
   * @throws ProtocolException FORBIDDEN for a host token of a user who no longer hosts the show
   */
  private static void requireCurrentHost(Identity identity, Show show) {
    if (identity.role() == Role.HOST && !identity.userId().equals(show.hostUserId())) {
      throw new ProtocolException(ErrorCode.FORBIDDEN,
          "show " + show.id() + " is now hosted by another user; ask the brand for a new host token");
    }
  }

  private static void requireModerator(Viewer v) {
    if (!v.identity.role().moderates()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only the host or a moderator may do this");
    }
  }

  // ------------------------------------------------------------------------------------ cleanup

  /** Drops buffers an ended, empty show no longer needs (room thread). */
  private void shed() {
    gop.clear();
    while (!history.isEmpty()) {
      history.removeFirst().bytes().release();
    }
  }

  /** Releases everything (room thread); the room accepts nothing afterwards. */
  void close() {
    closed = true;
    shed();
    coalesced.clear();
  }

  /** @return members for tests of the count; room thread */
  Collection<Viewer> members() {
    return members;
  }
}
