package io.dropcast.server.live;

import io.dropcast.protocol.Protocol;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.media.RelayFrame;
import io.dropcast.server.media.ViewerMedia;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The viewers of one show that live on one event loop, and the fan-out to them.
 *
 * <p>Fan-out: the show room submits ONE task per event loop per event or media frame
 * ({@link #deliverEvent}, {@link #deliverMedia}) and the loop schedules one flush task (if none is
 * pending). A media frame is written at once (a retained duplicate of the shared buffer per viewer,
 * not flushed). Events are only collected: events that queue up before the flush task runs (a
 * burst, or a loop that is behind) are joined into ONE buffer there and written once per viewer,
 * so N events cost each viewer one write and one flush instead of N writes ({@link #drain}).
 * Anything else written to a member's connection first drains the collected events (see
 * {@link ClientConnection#beforeWrite}), so every viewer still sees its messages in the order they
 * were produced, and a viewer added or removed sees exactly the events delivered while it was a
 * member.
 *
 * <p>Threading: created by the room's thread; {@link #members} and {@link #pendingMediaBytes} /
 * {@link #lagged} are the room's bookkeeping; everything else (the viewer list, dirty list) is
 * confined to this group's event loop and only touched by tasks run on {@link #context}.
 */
final class LoopGroup {
  final ContextInternal context;
  private final LiveShows live;

  // --- room thread ---
  int members;

  // --- shared between the room thread and this loop ---
  /** Media bytes submitted to this loop and not yet written: bounds the loop's task queue. */
  final AtomicLong pendingMediaBytes = new AtomicLong();
  /** Set by the room when it skipped media for this loop; the next media task resyncs viewers. */
  volatile boolean lagged;

  // --- this loop ---
  private final List<Viewer> viewers = new ArrayList<>();
  private final List<Viewer> dirty = new ArrayList<>();
  /** Events delivered to this loop and not yet written to its viewers (references owned here). */
  private final List<ByteBuf> pending = new ArrayList<>();
  private int pendingBytes;
  private boolean flushScheduled;
  private final Runnable flushTask = this::flushDirty;
  private final Runnable drainTask = this::drain;
  /** When the events / media frames written since the last flush reached the room (server-side latency). */
  private final FlushTimes eventTimes;
  private final FlushTimes mediaTimes;

  LoopGroup(ContextInternal context, LiveShows live) {
    this.context = context;
    this.live = live;
    this.eventTimes = new FlushTimes(live.metrics.eventFanoutLatency);
    this.mediaTimes = new FlushTimes(live.metrics.mediaRelayLatency);
  }

  /** Adds a viewer (on this loop); it receives the events delivered from now on. */
  void add(Viewer v) {
    if (v.index < 0) {
      drain();
      v.index = viewers.size();
      viewers.add(v);
      v.connection.beforeWrite(drainTask);
    }
  }

  /** Removes a viewer (on this loop) after writing it the events delivered so far; O(1). */
  void remove(Viewer v) {
    int i = v.index;
    if (i < 0) {
      return;
    }
    drain();
    v.connection.beforeWrite(null);
    Viewer last = viewers.remove(viewers.size() - 1);
    if (last != v) {
      viewers.set(i, last);
      last.index = i;
    }
    v.index = -1;
  }

  /**
   * Takes one shared event (and the caller's reference) for every viewer of this loop; it is written
   * with the other events collected until the flush task runs ({@link #drain}).
   *
   * @param fannedOutNanos {@link System#nanoTime()} when the room fanned the event out
   */
  void deliverEvent(ByteBuf event, long fannedOutNanos) {
    eventTimes.add(fannedOutNanos);
    pending.add(event);
    pendingBytes += event.readableBytes();
    if (pendingBytes >= MAX_PENDING_BYTES) {
      drain();
    }
    scheduleFlush();
  }

  /** Most event bytes collected before they are written without waiting for the flush task. */
  static final int MAX_PENDING_BYTES = 64 * 1024;

  /**
   * Writes the collected events to every viewer of this loop, without flushing: one shared buffer
   * holding all of them (a copy made once per loop, not per viewer) when there are several.
   */
  void drain() {
    int count = pending.size();
    if (count == 0) {
      return;
    }
    ByteBuf batch;
    if (count == 1) {
      batch = pending.get(0);
    } else {
      batch = ByteBufAllocator.DEFAULT.directBuffer(pendingBytes);
      for (ByteBuf event : pending) {
        batch.writeBytes(event, event.readerIndex(), event.readableBytes());
        event.release();
      }
    }
    pending.clear();
    pendingBytes = 0;
    try {
      int written = 0;
      for (int i = viewers.size() - 1; i >= 0; i--) {
        if (writeEvent(viewers.get(i), batch)) {
          written++;
        }
      }
      live.metrics.eventWrites.increment((double) written * count);
    } finally {
      batch.release();
    }
  }

  /**
   * Writes an event to one viewer: below the hard cap it is queued even when the socket is not
   * writable (events are small and must not be lost); beyond the cap the viewer is closed with
   * {@link Protocol#CLOSE_TOO_SLOW} and recovers by rejoining with its last seq.
   */
  boolean writeEvent(Viewer v, ByteBuf event) {
    ClientConnection c = v.connection;
    if (v.closing || !c.isOpen()) {
      return false;
    }
    if (!c.isWritable() && v.dirty) {
      c.flush();
    }
    if (c.isWritable() || observe(v, c.queuedBytes()) < live.maxQueuedBytes) {
      c.writeShared(event);
      markDirty(v);
      return true;
    }
    tooSlow(v);
    return false;
  }

  /** Relays one media frame to every viewer of this loop except its sender; releases the frame. */
  void deliverMedia(RelayFrame frame, ClientConnection sender) {
    try {
      drain();
      pendingMediaBytes.addAndGet(-frame.size());
      if (lagged) {
        lagged = false;
        for (Viewer v : viewers) {
          v.media.resync();
        }
      }
      int written = 0;
      for (int i = viewers.size() - 1; i >= 0; i--) {
        Viewer v = viewers.get(i);
        if (v.connection != sender && writeMedia(v, frame)) {
          written++;
        }
      }
      live.metrics.mediaWrites.increment(written);
      if (written > 0) {
        mediaTimes.add(frame.receivedNanos());
      }
    } finally {
      frame.release();
    }
  }

  /** Applies the slow-viewer policy to one frame for one viewer. */
  boolean writeMedia(Viewer v, RelayFrame frame) {
    ClientConnection c = v.connection;
    if (v.closing || !c.isOpen()) {
      return false;
    }
    boolean writable = c.isWritable();
    if (!writable && v.dirty) {
      // Unflushed frames of this batch count against the high-water mark: flush them first, so a
      // burst (e.g. a GOP replay) is not mistaken for a slow viewer.
      c.flush();
      writable = c.isWritable();
    }
    long queued = 0;
    if (!writable) {
      queued = c.queuedBytes();
      v.room.observeQueued(queued);
    }
    ViewerMedia.Action action = v.media.decide(frame.header(), writable, queued, live.maxQueuedBytes);
    switch (action) {
      case WRITE -> {
        c.writeShared(frame.content());
        markDirty(v);
        return true;
      }
      case DROP -> v.room.countDrop();
      case TOO_SLOW -> tooSlow(v);
    }
    return false;
  }

  private static long observe(Viewer v, long queued) {
    v.room.observeQueued(queued);
    return queued;
  }

  private void tooSlow(Viewer v) {
    v.closing = true;
    live.metrics.slowCloses.increment();
    v.connection.close(Protocol.CLOSE_TOO_SLOW, "too slow: rejoin with your last seq");
  }

  void markDirty(Viewer v) {
    if (!v.dirty) {
      v.dirty = true;
      dirty.add(v);
    }
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      context.nettyEventLoop().execute(flushTask);
    }
  }

  private void flushDirty() {
    drain();
    flushScheduled = false;
    int n = dirty.size();
    for (int i = 0; i < n; i++) {
      Viewer v = dirty.get(i);
      v.dirty = false;
      v.connection.flush();
      if (i % FlushTimes.SAMPLE_EVERY == 0) {
        long now = System.nanoTime();
        eventTimes.reached(now);
        mediaTimes.reached(now);
      }
    }
    dirty.clear();
    live.metrics.flushes.increment(n);
    eventTimes.clear();
    mediaTimes.clear();
  }

  /**
   * Start times of the messages written since the last flush, timed per delivery as the viewers are
   * flushed one after the other: a systematic sample, every {@link #SAMPLE_EVERY}th viewer of the
   * flush (the first always), so the latency of viewers early and late in the loop's list is
   * represented without a clock read and a timer update per viewer. At most {@link #MAX} messages
   * per flush (a flush holds one or two media frames, or a burst of events; beyond that the first
   * ones stand for the rest). Confined to the group's loop.
   */
  private static final class FlushTimes {
    static final int MAX = 32;
    static final int SAMPLE_EVERY = 8;
    private final long[] started = new long[MAX];
    private int count;
    private final Timer timer;

    FlushTimes(Timer timer) {
      this.timer = timer;
    }

    void add(long nanos) {
      if (count < MAX) {
        started[count++] = nanos;
      }
    }

    /** Records the messages' latency to a viewer just flushed at {@code now}. */
    void reached(long now) {
      for (int i = 0; i < count; i++) {
        timer.record(now - started[i], TimeUnit.NANOSECONDS);
      }
    }

    void clear() {
      count = 0;
    }
  }
}
