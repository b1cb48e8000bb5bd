package io.dropcast.server.gateway;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.message.Reply;
import io.dropcast.server.auth.Identity;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client's WebSocket and its per-connection state. Writes go straight to the Netty channel;
 * reads arrive through the channel's {@link SocketHandler} (Vert.x only did the upgrade).
 *
 * <p>Threading: every method must be called on the connection's event loop ({@link #context()}),
 * which is where its handlers run; the class is not thread-safe. Features that publish from another
 * thread hop onto that loop first (see the fan-out in the live-show package).
 *
 * <p>Buffers: {@link #writeShared} never takes ownership of the caller's buffer; it writes a
 * retained duplicate, so one encoded event can be written to many connections without copying.
 *
 * <p>Outbound bound: {@link #send} and {@link #writeShared} both write straight to the Netty channel
 * (so replies and events leave in the order they were written, even while the client reads slowly),
 * and {@link #send} refuses to queue more than {@code live.max-queued-bytes} for a client that does not
 * read: it closes the socket with {@link Protocol#CLOSE_TOO_SLOW} instead. A socket the server closes
 * is dropped after {@link #CLOSE_GRACE_MS} even if the client never reads the close frame.
 */
public final class ClientConnection {
  /** How long a server-initiated close waits for the client to read the close frame before dropping TCP. */
  static final long CLOSE_GRACE_MS = 5000;

  private final String id;
  /** The {@link SocketHandler}'s context: frames written here pass the WebSocket encoder. */
  private final ChannelHandlerContext channel;
  private final io.netty.channel.ChannelPromise silentPromise;
  /** Where pre-built frames enter the pipeline: the WebSocket encoder's context (bytes pass below it). */
  private final ChannelHandlerContext wire;
  private final ContextInternal context;
  private final Map<AttachmentKey<?>, Object> attachments = new HashMap<>();
  private final List<Runnable> closeHooks = new ArrayList<>();
  private final TokenBucket requestBudget;
  private final long maxQueuedBytes;
  private final Runnable onOverflow;
  /** Tells whether a read is being handled (flushes of replies are then deferred to its end). */
  private final SocketHandler reader;
  /** Run before anything else is written to this connection (see {@link #beforeWrite}); null for none. */
  private Runnable beforeWrite;
  private boolean inBeforeWrite;
  private Identity identity;
  /** The auth timeout's timer while the connection has no identity, else 0. */
  private long authTimer;
  private boolean closed;
  /** A close frame was requested: nothing more is written. */
  private boolean closing;

  /**
   * @param maxQueuedBytes most bytes {@link #send} lets queue up for a client that does not read
   * @param onOverflow told (once) when {@link #send} closes the socket for that reason
   */
  ClientConnection(String id, ChannelHandlerContext channel, SocketHandler reader, ContextInternal context,
                   TokenBucket requestBudget, long maxQueuedBytes, Runnable onOverflow) {
    this.id = id;
    this.channel = channel;
    this.reader = reader;
    this.silentPromise = channel.channel().unsafe().voidPromise();
    ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
    this.wire = encoder != null ? encoder : channel;
    this.context = context;
    this.requestBudget = requestBudget;
    this.maxQueuedBytes = maxQueuedBytes;
    this.onOverflow = onOverflow;
  }

  /** @return this connection's id ({@code con_…}) */
  public String id() {
    return id;
  }

  /** @return the same as {@link #context()}, for the {@link SocketHandler}'s dispatch */
  ContextInternal vertxContext() {
    return context;
  }

  /** @return the Netty channel (for tests) */
  io.netty.channel.Channel nettyChannel() {
    return channel.channel();
  }

  /** @return the event-loop context all of this connection's work runs on */
  public Context context() {
    return context;
  }

  /** @return the authenticated identity (or guest), or null before authentication */
  public Identity identity() {
    return identity;
  }

  /** Sets the identity after {@code auth} or a guest join; cancels the auth timeout. */
  public void identity(Identity identity) {
    this.identity = identity;
    if (identity != null) {
      cancelAuthTimer();
    }
  }

  private void cancelAuthTimer() {
    if (authTimer != 0) {
      context.owner().cancelTimer(authTimer);
      authTimer = 0;
    }
  }

  /** Keeps the auth timeout's timer, cancelled once the connection has an identity. */
  void authTimer(long timerId) {
    this.authTimer = timerId;
  }

  /** @return a feature's attachment, or null */
  @SuppressWarnings("unchecked")
  public <T> T attachment(AttachmentKey<T> key) {
    return (T) attachments.get(key);
  }

  /** Attaches (or, with null, removes) a feature's per-connection state. */
  public <T> void attach(AttachmentKey<T> key, T value) {
    if (value == null) {
      attachments.remove(key);
    } else {
      attachments.put(key, value);
    }
  }

  /** Registers a hook run once, on this connection's loop, when the socket closes. */
  public void onClose(Runnable hook) {
    if (closed) {
      hook.run();
    } else {
      closeHooks.add(hook);
    }
  }

  /** @return false once the socket has closed */
  public boolean isOpen() {
    return !closed;
  }

  /**
   * Sends one message (reply, event, hello) encoded as JSON, flushed at once, or, when sent while one of
   * this client's reads is being handled, at the end of that read (so replies to requests that arrived
   * together leave in one write). When the client does not
   * read and more than {@code live.max-queued-bytes} would be queued for it, the message is dropped
   * and the socket closed with {@link Protocol#CLOSE_TOO_SLOW}.
   */
  public void send(Object message) {
    if (closed || closing) {
      return;
    }
    runBeforeWrite();
    ByteBuf frame = WireFrames.json(message);
    if (!channel.channel().isWritable() && queuedBytes() + frame.readableBytes() > maxQueuedBytes) {
      frame.release();
      onOverflow.run();
      close(Protocol.CLOSE_TOO_SLOW, "too slow: more than " + maxQueuedBytes + " bytes queued");
      return;
    }
    if (reader.deferFlush()) {
      wire.write(frame, silentPromise);
    } else {
      wire.writeAndFlush(frame, silentPromise);
    }
  }

  /** Sends an error reply. */
  public void sendError(String requestId, ErrorCode code, String message) {
    send(Reply.failure(requestId, code, message));
  }

  /**
   * Queues a complete WebSocket frame (built once by {@link WireFrames}) sharing {@code frame}'s
   * bytes, without flushing. It is written below the WebSocket encoder, so no per-connection frame
   * object or encoding is made. The caller keeps its reference; call {@link #flush()} after a batch.
   *
   * @return false when the connection is closed and nothing was written
   */
  public boolean writeShared(ByteBuf frame) {
    if (closed || closing) {
      return false;
    }
    runBeforeWrite();
    // The channel's own void promise does not fire exceptionCaught when a write fails: a viewer that
    // disconnects with thousands of frames queued must not cost one pipeline event (and log line) each.
    wire.write(frame.retainedDuplicate(), silentPromise);
    return true;
  }

  /**
   * Sets (or, with null, clears) a hook run before every later write or close of this connection: a
   * feature that holds back writes for this client (the live fan-out collects events per event loop
   * and writes them in one go) writes them there, so they keep their place before anything sent after
   * them. The hook may write to this connection; it must not set another hook.
   */
  public void beforeWrite(Runnable hook) {
    this.beforeWrite = hook;
  }

  private void runBeforeWrite() {
    if (beforeWrite != null && !inBeforeWrite) {
      inBeforeWrite = true; // the hook's own writes must not run it again
      try {
        beforeWrite.run();
      } finally {
        inBeforeWrite = false;
      }
    }
  }

  /** Flushes frames queued by {@link #writeShared}. */
  public void flush() {
    if (!closed) {
      channel.flush();
    }
  }

  /**
   * @return true while the outbound buffer is below the configured high-water mark
   *     ({@code ws.write-queue-bytes}); a slow client reads false
   */
  public boolean isWritable() {
    return channel.channel().isWritable();
  }

  /** @return bytes queued for this client that the socket has not taken yet */
  public long queuedBytes() {
    return channel.channel().unsafe().outboundBuffer() == null ? 0
        : channel.channel().unsafe().outboundBuffer().totalPendingWriteBytes();
  }

  /** @return true when this connection's requests are within the per-connection rate limit */
  boolean takeRequestBudget() {
    return requestBudget.tryTake();
  }

  /**
   * Closes the socket with a WebSocket close code and reason; nothing is written afterwards. The TCP
   * connection is dropped after {@link #CLOSE_GRACE_MS} if the client has not completed the close by
   * then (a client that never reads would otherwise never receive the close frame).
   */
  public void close(int code, String reason) {
    if (closed || closing) {
      return;
    }
    runBeforeWrite();
    closing = true;
    channel.writeAndFlush(new CloseWebSocketFrame(code, SocketHandler.truncate(reason)), silentPromise);
    channel.executor().schedule(() -> {
      if (channel.channel().isOpen()) {
        channel.close();
      }
    }, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
  }

  /** @return true once a close frame was sent or received: nothing more is written */
  boolean isClosing() {
    return closing;
  }

  /** The client sent a close frame; {@link SocketHandler} echoes it and closes TCP. */
  void closedByClient() {
    closing = true;
  }

  /** {@link SocketHandler} answered an undecodable frame with its own close frame. */
  void closedForBadInput() {
    closing = true;
  }

  void handleClosed() {
    if (closed) {
      return;
    }
    closed = true;
    cancelAuthTimer();
    for (Runnable hook : closeHooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(ClientConnection.class).warn("close hook failed on {}", id, e);
      }
    }
    closeHooks.clear();
    attachments.clear();
  }
}
