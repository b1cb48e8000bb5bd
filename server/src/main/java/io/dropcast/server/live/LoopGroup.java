package io.dropcast.server.live;

import io.dropcast.protocol.Protocol;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.media.RelayFrame;
import io.dropcast.server.media.ViewerMedia;
import io.netty.buffer.ByteBuf;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The viewers of one show that live on one event loop, and the fan-out to them.
 *
 * <p>Fan-out: the show room submits ONE task per event loop per event or media frame
 * ({@link #deliverEvent}, {@link #deliverMedia}); the task writes a retained duplicate of the
 * shared buffer to every viewer of the loop without flushing, then schedules one flush task for
 * the loop (if none is pending). Tasks that queue up before that flush task runs share its flush,
 * so a burst of events costs one flush per channel.
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
  private boolean flushScheduled;
  private final Runnable flushTask = this::flushDirty;

  LoopGroup(ContextInternal context, LiveShows live) {
    this.context = context;
    this.live = live;
  }

  /** Adds a viewer (on this loop). */
  void add(Viewer v) {
    if (v.index < 0) {
      v.index = viewers.size();
      viewers.add(v);
    }
  }

  /** Removes a viewer (on this loop); O(1). */
  void remove(Viewer v) {
    int i = v.index;
    if (i < 0) {
      return;
    }
    Viewer last = viewers.remove(viewers.size() - 1);
    if (last != v) {
      viewers.set(i, last);
      last.index = i;
    }
    v.index = -1;
  }

  /** Writes one shared event to every viewer of this loop, then releases the caller's reference. */
  void deliverEvent(ByteBuf event) {
    try {
      int written = 0;
      for (int i = viewers.size() - 1; i >= 0; i--) {
        if (writeEvent(viewers.get(i), event)) {
          written++;
        }
      }
      live.metrics.eventWrites.increment(written);
    } finally {
      event.release();
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
    if (!flushScheduled) {
      flushScheduled = true;
      context.nettyEventLoop().execute(flushTask);
    }
  }

  private void flushDirty() {
    flushScheduled = false;
    int n = dirty.size();
    for (int i = 0; i < n; i++) {
      Viewer v = dirty.get(i);
      v.dirty = false;
      v.connection.flush();
    }
    dirty.clear();
    live.metrics.flushes.increment(n);
  }
}
