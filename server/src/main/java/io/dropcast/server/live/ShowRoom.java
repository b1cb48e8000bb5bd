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

  // --- cross-node (store=redis; see RedisShowSync), room thread unless noted ---
  /** Null on a single node (store=memory): the room numbers and delivers its events itself. */
  private final RedisShowSync sync;
  /** False until the replicated state was loaded; sync messages are held until then. */
  private boolean synced;
  /** Sync messages waiting for the state load or for a gap to be filled from the shared history. */
  private final List<RedisShowSync.Message> held = new ArrayList<>();
  private boolean filling;
  private int clusterViewers;
  private int clusterPeak;
  private final Map<String, Long> pendingReactions = new LinkedHashMap<>();
  private boolean reactionFlushSet;
  private boolean viewerReportSet;
  private long heartbeatTimer = -1;
  private long retireTimer = -1;
  /** Joins between finding this room and being admitted (any thread): the room is not retired meanwhile. */
  final java.util.concurrent.atomic.AtomicInteger pendingJoins = new java.util.concurrent.atomic.AtomicInteger();
  /** Keys of events published once (single node). */
  private final Set<String> onceKeys = new java.util.HashSet<>();
  /** Last version published per versioned latest-value key (one per sale of the show; room thread). */
  private final Map<String, Long> versions = new java.util.HashMap<>();
  /** An idle room of a cross-node show is retired after this long without members. */
  static final long RETIRE_IDLE_MS = 10_000;

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
    this.sync = live.sync;
    this.synced = sync == null;
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
            Map<String, Object> sections, Promise<Object> reply, List<RedisShowSync.Message> fetched) {
    if (sync != null && fetched == null && lastSeq != null && lastSeq >= 0 && lastSeq < seq
        && (history.isEmpty() || history.peekFirst().seq() > lastSeq + 1)) {
      // The events after lastSeq predate this room's own history: read them from the shared history.
      long upTo = history.isEmpty() ? seq : history.peekFirst().seq() - 1;
      onRoom(sync.history(id, lastSeq, upTo)).onComplete(ar -> join(c, identity, previous, lastSeq, stored,
          sections, reply, ar.succeeded() ? ar.result() : List.of()));
      return;
    }
    try {
      joinNow(c, identity, previous, lastSeq, stored, sections, reply, fetched == null ? List.of() : fetched);
    } finally {
      if (fetched != null) {
        fetched.forEach(m -> m.frame().release());
      }
    }
  }

  private void joinNow(ClientConnection c, Identity identity, Viewer previous, Long lastSeq, Show stored,
                       Map<String, Object> sections, Promise<Object> reply, List<RedisShowSync.Message> fetched) {
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
      List<ByteBuf> recovered = lastSeq == null ? null : missedSince(lastSeq, fetched);
      if (recovered != null) {
        missed.addAll(recovered);
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

  /**
   * @param fetched events read from the shared history (cross-node), oldest first; may be empty
   * @return every event after {@code lastSeq} up to the current seq (each retained for the caller),
   *     or null when some of them are no longer kept (the client then gets a fresh snapshot)
   */
  private List<ByteBuf> missedSince(long lastSeq, List<RedisShowSync.Message> fetched) {
    if (lastSeq > seq || lastSeq < 0) {
      return null;
    }
    long next = lastSeq + 1;
    List<ByteBuf> out = new ArrayList<>();
    for (RedisShowSync.Message m : fetched) {
      if (m.seq() == next) {
        out.add(m.frame().retain());
        next++;
      }
    }
    for (Sequenced s : history) {
      if (s.seq() == next) {
        out.add(s.bytes().retain());
        next++;
      }
    }
    if (next != seq + 1) {
      out.forEach(ByteBuf::release);
      return null;
    }
    return out;
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
    if (members.isEmpty() && sync != null && retireTimer < 0) {
      retireTimer = context.setTimer(RETIRE_IDLE_MS, t -> {
        retireTimer = -1;
        if (members.isEmpty()) {
          live.retire(this);
        }
      });
    }
  }

  private void publishViewerCount() {
    if (sync == null) {
      publishCoalesced("viewers", Events.VIEWERS, viewerCount());
    } else if (!viewerReportSet && !closed) {
      // Cross-node: this node reports its count; Redis sums the nodes and publishes the total.
      viewerReportSet = true;
      context.setTimer(live.coalesceMs, t -> {
        viewerReportSet = false;
        reportViewers();
      });
    }
  }

  private void reportViewers() {
    if (!closed) {
      sync.reportViewers(id, members.size())
          .onFailure(e -> LiveShows.LOG.debug("viewer report of show {} failed: {}", id, e.toString()));
    }
  }

  private Map<String, Object> viewerCount() {
    return sync == null ? Map.of("current", members.size(), "peak", peak)
        : Map.of("current", clusterViewers, "peak", clusterPeak);
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
    stats.put("viewers", sync == null ? members.size() : clusterViewers);
    stats.put("peakViewers", sync == null ? peak : clusterPeak);
    stats.put("viewersOnThisNode", members.size());
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
    publish(event, data, null);
  }

  /**
   * Publishes a sequenced event to every member (room thread). On a single node it is numbered and
   * delivered at once. Across nodes it is numbered in Redis and delivered when it comes back
   * ({@link #onSyncMessage}), on every node alike.
   *
   * @param change the state change the event makes, replayed by the other nodes' rooms (see
   *     {@link #apply}); this room has already made it. Null for events that change no room state.
   */
  void publish(String event, Object data, Map<String, Object> change) {
    if (closed) {
      return;
    }
    if (sync != null) {
      sync.publish(id, event, data, change, null)
          .onFailure(e -> LiveShows.LOG.warn("event {} of show {} not published: {}", event, id, e.toString()));
      return;
    }
    ByteBuf bytes = WireFrames.json(new Event(id, seq + 1, event, data)); // throws before the seq is used
    seq++;
    fanOut(bytes);
  }

  /**
   * Publishes an event once per {@code key} (room thread, single node; across nodes
   * {@link RedisShowSync} keeps the key).
   */
  void publishOnce(String key, String event, Object data) {
    if (onceKeys.add(key)) {
      publish(event, data);
    }
  }

  /**
   * Publishes a latest-value event unless one with the same {@code key} and a version at least as high
   * was published (room thread, single node; across nodes {@link RedisShowSync} keeps the versions).
   */
  void publishVersioned(String key, long version, String event, Object data) {
    Long last = versions.get(key);
    if (last == null || version > last) {
      versions.put(key, version);
      publish(event, data);
    }
  }

  /** Fans out the event numbered {@link #seq} and keeps it in the history; takes over the caller's reference. */
  private void fanOut(ByteBuf bytes) {
    live.metrics.eventsPublished.increment();
    long fannedOut = System.nanoTime();
    for (LoopGroup g : groups.values()) {
      if (g.members > 0) {
        bytes.retain();
        g.context.runOnContext(v -> g.deliverEvent(bytes, fannedOut));
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
      publish(Events.SHOW_STATE, info, Map.of("k", "state", "show", show));
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
    publish(Events.CHAT_MESSAGE, m, Map.of("k", "chat", "m", m));
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
    publish(Events.CHAT_DELETED, Map.of("messageId", messageId, "by", v.identity.userId()),
        Map.of("k", "chatDelete", "id", messageId));
    if (wasPinned) {
      publish(Events.CHAT_PINNED, pinnedData(), pinnedChange());
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
      kickBanned(userId);
    }
    if (changed) {
      publish(Events.USER_MODERATED, Map.of("userId", userId, "action", done, "by", v.identity.userId()),
          Map.of("k", "mod", "userId", userId, "action", action));
    }
    return Map.of("userId", userId, "action", done, "changed", changed);
  }

  Object slowMode(Viewer v, int seconds) {
    requireModerator(v);
    chat.slowMode(seconds);
    publish(Events.CHAT_SETTINGS, chatSettings(), Map.of("k", "slow", "s", seconds));
    return chatSettings();
  }

  Object filter(Viewer v, List<?> words) {
    requireModerator(v);
    List<String> inForce = chat.filter(words);
    publish(Events.CHAT_SETTINGS, chatSettings(), Map.of("k", "filter", "words", inForce));
    return Map.of("words", inForce);
  }

  Object chatPin(Viewer v, String messageId) {
    requireModerator(v);
    chat.pin(messageId);
    publish(Events.CHAT_PINNED, pinnedData(), pinnedChange());
    return pinnedData();
  }

  Object chatUnpin(Viewer v) {
    requireModerator(v);
    if (chat.unpin()) {
      publish(Events.CHAT_PINNED, pinnedData(), pinnedChange());
    }
    return pinnedData();
  }

  private Map<String, Object> pinnedData() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("message", chat.pinned());
    return data;
  }

  private Map<String, Object> pinnedChange() {
    Map<String, Object> change = new java.util.HashMap<>();
    change.put("k", "chatPin");
    change.put("m", chat.pinned());
    return change;
  }

  /** Removes and disconnects this node's connections of a banned user (room thread). */
  private void kickBanned(String userId) {
    for (Viewer m : new ArrayList<>(members)) {
      if (m.identity.userId().equals(userId)) {
        removeMember(m);
        m.group.context.runOnContext(x -> live.kick(m, Protocol.CLOSE_BANNED, "banned from show " + id));
      }
    }
  }

  private Map<String, Object> chatSettings() {
    return Map.of("slowModeSeconds", chat.slowModeSeconds(), "filterActive", !chat.filterWords().isEmpty());
  }

  // ------------------------------------------------------------------------------------ reactions, pins

  Object react(Viewer v, Object kind, Object count) {
    long n = reactions.add(kind, count);
    live.activity.reacted(show, v.identity, n);
    if (sync == null) {
      publishCoalesced("reactions", Events.REACTIONS, reactions.totals());
      return null;
    }
    // Cross-node: this node's reactions are summed here and added to the shared totals once per interval.
    pendingReactions.merge((String) kind, n, Long::sum);
    if (!reactionFlushSet) {
      reactionFlushSet = true;
      context.setTimer(live.coalesceMs, t -> {
        reactionFlushSet = false;
        Map<String, Long> due = new LinkedHashMap<>(pendingReactions);
        pendingReactions.clear();
        if (!closed && !due.isEmpty()) {
          sync.addReactions(id, due, Reactions.KINDS)
              .onFailure(e -> LiveShows.LOG.warn("reactions of show {} lost: {}", id, e.toString()));
        }
      });
    }
    return null;
  }

  Future<Object> pinProduct(Viewer v, String productId) {
    requireModerator(v);
    // Across nodes Redis holds the pins (this room's copy may lag by a message): it decides there.
    if (sync == null && pins.contains(productId)) {
      return Future.succeededFuture(pinsData(null, null));
    }
    if (sync == null) {
      pins.checkRoom();
    }
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
    if (sync != null) {
      // The room applies the change (and counts the impression) when the event comes back.
      return card.compose(pin -> sync.changePins(id, productId, pin, live.maxPins)).map(ShowRoom::pinsReply);
    }
    return onRoom(card).compose(pin -> {
      if (!pins.contains(productId)) {
        pins.add(pin);
        live.activity.pinned(show, productId);
        publish(Events.PINS, pinsData("pinned", productId), Map.of("k", "pins", "pins", pins.list()));
      }
      return Future.succeededFuture(pinsData(null, null));
    });
  }

  Future<Object> unpinProduct(Viewer v, String productId) {
    requireModerator(v);
    if (sync != null) {
      return sync.changePins(id, productId, null, live.maxPins).map(ShowRoom::pinsReply);
    }
    pins.remove(productId);
    live.activity.unpinned(show, productId);
    publish(Events.PINS, pinsData("unpinned", productId), Map.of("k", "pins", "pins", pins.list()));
    return Future.succeededFuture(pinsData(null, null));
  }

  private static Object pinsReply(List<ProductPin> list) {
    return Map.of("pins", list);
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
    // This room stops hearing pin changes: the analytics forget its pins (a room that attaches
    // later reports the show's pins again when it loads them).
    pinnedIds().forEach(productId -> live.activity.unpinned(show, productId));
    shed();
    coalesced.clear();
    held.forEach(m -> m.frame().release());
    held.clear();
    for (long timer : new long[] {heartbeatTimer, retireTimer}) {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
    }
  }

  // ------------------------------------------------------------------------------------ cross-node

  /** @return the largest GOP cache, in bytes (any thread) */
  long gopMaxBytes() {
    return live.gopMaxBytes;
  }

  /**
   * Takes the show's replicated state as Redis had it when this node's room attached (room thread),
   * then the events that arrived meanwhile. The host's codec configs seed the GOP cache, so viewers
   * here can decode from the next keyframe.
   */
  void adoptLoaded(RedisShowSync.Loaded loaded, List<RelayFrame> mediaConfigs) {
    for (RelayFrame config : mediaConfigs) {
      gop.add(config); // the cache retains what it keeps
      config.release();
    }
    seq = loaded.seq();
    for (com.fasterxml.jackson.databind.JsonNode change : loaded.changes()) {
      try {
        apply(change);
      } catch (RuntimeException e) {
        LiveShows.LOG.warn("replicated state {} of show {} unreadable: {}", change, id, e.toString());
      }
    }
    synced = true;
    heartbeatTimer = context.setPeriodic(RedisShowSync.VIEWER_HEARTBEAT_MS, t -> {
      if (!members.isEmpty()) {
        reportViewers();
      }
    });
    drainHeld(false);
  }

  /** A message from the show's channel (room thread): applied and delivered in seq order. */
  void onSyncMessage(RedisShowSync.Message m) {
    if (closed) {
      m.frame().release();
    } else if (!synced || filling) {
      held.add(m);
    } else if (m.seq() <= seq) {
      m.frame().release(); // already had it (e.g. through a gap fill)
    } else if (m.seq() > seq + 1) {
      held.add(m);
      fillGap();
    } else {
      accept(m);
    }
  }

  private void accept(RedisShowSync.Message m) {
    seq = m.seq();
    if (m.meta() != null) {
      try {
        apply(m.meta());
      } catch (RuntimeException e) {
        LiveShows.LOG.warn("state change {} of show {} not applied: {}", m.meta(), id, e.toString());
      }
    }
    fanOut(m.frame());
  }

  /** Reads the events this node missed (e.g. while its subscription reconnected) from the shared history. */
  private void fillGap() {
    filling = true;
    long upTo = held.stream().mapToLong(RedisShowSync.Message::seq).min().orElse(seq + 1) - 1;
    onRoom(sync.history(id, seq, upTo)).onComplete(ar -> {
      filling = false;
      if (ar.succeeded()) {
        held.addAll(ar.result());
      }
      drainHeld(true);
    });
  }

  /** Delivers held messages in order; a gap is filled first, unless {@code jump} (it could not be). */
  private void drainHeld(boolean jump) {
    List<RedisShowSync.Message> pending = new ArrayList<>(held);
    held.clear();
    pending.sort(java.util.Comparator.comparingLong(RedisShowSync.Message::seq));
    for (int i = 0; i < pending.size(); i++) {
      RedisShowSync.Message m = pending.get(i);
      if (closed || m.seq() <= seq) {
        m.frame().release();
      } else if (m.seq() > seq + 1 && !jump) {
        held.addAll(pending.subList(i, pending.size()));
        fillGap();
        return;
      } else {
        accept(m); // a jump that cannot be filled: clients see the gap and rejoin with their last seq
      }
    }
  }

  /**
   * Replays a state change another node's room made (room thread). Every change is idempotent, so
   * the room that made it can replay it too.
   */
  private void apply(com.fasterxml.jackson.databind.JsonNode change) {
    switch (change.path("k").asText()) {
      case "chat" -> chat.append(io.dropcast.protocol.JsonCodec.convert(change.get("m"), ChatMessage.class));
      case "chatDelete" -> chat.deleteQuietly(change.path("id").asText());
      case "chatPin" -> chat.setPinned(change.hasNonNull("m")
          ? io.dropcast.protocol.JsonCodec.convert(change.get("m"), ChatMessage.class) : null);
      case "slow" -> chat.slowMode(change.path("s").asInt());
      case "filter" -> {
        List<Object> words = new ArrayList<>();
        change.path("words").forEach(w -> words.add(w.asText()));
        chat.filter(words);
      }
      case "mod" -> {
        String userId = change.path("userId").asText();
        switch (change.path("action").asText()) {
          case "mute" -> chat.mute(userId, true);
          case "unmute" -> chat.mute(userId, false);
          case "ban" -> {
            chat.ban(userId, true);
            kickBanned(userId);
          }
          case "unban" -> chat.ban(userId, false);
          default -> { }
        }
      }
      case "pins" -> replacePins(io.dropcast.protocol.JsonCodec.convert(change.get("pins"),
          new com.fasterxml.jackson.core.type.TypeReference<List<ProductPin>>() { }));
      case "state" -> {
        Show s = io.dropcast.protocol.JsonCodec.convert(change.get("show"), Show.class);
        if (s.state().ordinal() >= show.state().ordinal()) {
          show = s;
          state = s.state();
          if (state == Show.State.ENDED) {
            gop.clear();
          }
        }
      }
      case "reactions" -> {
        Map<String, Long> totals = new LinkedHashMap<>();
        change.path("totals").fields().forEachRemaining(e -> totals.put(e.getKey(), e.getValue().asLong()));
        reactions.replace(totals);
      }
      case "viewers" -> {
        clusterViewers = change.path("current").asInt();
        clusterPeak = change.path("peak").asInt();
      }
      default -> { }
    }
  }

  /**
   * Takes a replicated pin list (room thread) and tells the {@link ShowActivity} which products it
   * pinned or unpinned here, so this node counts impressions for its own viewers whichever node
   * made the pin. The room that made the change already has the list (it called the hooks itself),
   * so replaying its own change finds no difference and counts nothing twice.
   */
  private void replacePins(List<ProductPin> list) {
    Set<String> before = pinnedIds();
    pins.replace(list);
    Set<String> after = pinnedIds();
    for (String productId : after) {
      if (!before.contains(productId)) {
        live.activity.pinned(show, productId);
      }
    }
    for (String productId : before) {
      if (!after.contains(productId)) {
        live.activity.unpinned(show, productId);
      }
    }
  }

  private Set<String> pinnedIds() {
    Set<String> ids = new LinkedHashSet<>();
    pins.list().forEach(p -> ids.add(p.productId()));
    return ids;
  }

  /** @return members for tests of the count; room thread */
  Collection<Viewer> members() {
    return members;
  }
}
