package io.dropcast.server.gateway;

import io.dropcast.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound end of one client's WebSocket after the upgrade. Vert.x does the HTTP upgrade, then
 * {@link SocketGateway} puts this handler in the place of Vert.x's own handler in the channel
 * pipeline, so the Vert.x connection objects of the socket (the WebSocket connection and the
 * upgraded HTTP connection, each with its outbound queue, the upgrade request and response) are no
 * longer referenced and the socket costs only the Netty channel, its codec and our state. It reads
 * the frames that Netty's WebSocket decoder emits:
 *
 * <ul>
 *   <li>text and binary messages, reassembled from continuation frames up to the message limit
 *       ({@link SocketGateway#maxFrameBytes()}), a larger one closing the socket with 1009; complete
 *       messages go to {@link SocketGateway#onText} and {@link SocketGateway#onBinary};
 *   <li>ping (answered with a pong carrying the same payload), pong (ignored);
 *   <li>close: a client's close is echoed and the TCP connection closed once the echo is written;
 *       the answer to a close the server sent ({@link ClientConnection#close}) closes TCP at once;
 *   <li>a frame Netty cannot decode (larger than the transport limit, invalid UTF-8, a protocol
 *       violation) becomes a close frame with Netty's status (1009 for a frame that is too big),
 *       then the TCP connection is closed after {@link #LINGER_MS}. Closing TCP at once while the
 *       rest of an oversized frame is still arriving would make the kernel answer with a reset and
 *       the client would only see 1006; during the linger the decoder, now in its corrupt state,
 *       reads and discards input so the client can finish its send and read the close frame.
 * </ul>
 *
 * <p>It also marks the connection's reads: replies {@link ClientConnection#send sent} while a read is
 * being handled (the usual case: an op answered at once) are flushed together when the read
 * completes, so a client that sent several requests in one TCP segment gets their replies in one
 * write instead of one system call each (see {@link #deferFlush()}).
 *
 * <p>Threading: Netty calls it on the channel's event loop, which is also the event loop of the
 * {@link ClientConnection}'s Vert.x context; messages and the close are handled with that context
 * current (as Vert.x dispatched its handlers). It is not thread-safe and needs no locking.
 *
 * <p>Buffers: every inbound message is released here after handling. The buffer handed to
 * {@link SocketGateway#onBinary} is only valid during that call (the receiver copies what it keeps);
 * a fragmented message is copied into one buffer owned by this handler, released when the message
 * is complete, too large, or the channel closes. Pong and close echoes write a retained duplicate of
 * the incoming payload, which Netty's encoder releases.
 */
final class SocketHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(SocketHandler.class);
  /** How long to keep draining input after the close frame for an undecodable frame before closing TCP. */
  static final long LINGER_MS = 1000;

  private final SocketGateway gateway;
  private final int maxMessageBytes;
  private ClientConnection connection;
  /** A fragmented message being reassembled, or null. */
  private ByteBuf fragments;
  private boolean fragmentsBinary;
  /** An undecodable frame was answered with a close frame: input is discarded until TCP closes. */
  private boolean corrupt;
  /** Between a channelRead and its channelReadComplete. */
  private boolean reading;
  /** A write was left unflushed until the current read completes. */
  private boolean flushPending;

  SocketHandler(SocketGateway gateway, int maxMessageBytes) {
    this.gateway = gateway;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Binds the connection this handler reads for; called once, right after the handler is installed. */
  void connection(ClientConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    if (!(msg instanceof WebSocketFrame frame) || connection == null) {
      // Nothing else (such as the upgrade request's empty last content) has a meaning here.
      ReferenceCountUtil.release(msg);
      return;
    }
    // Netty calls us outside any Vert.x context: make the connection's the current one, as Vert.x
    // did for its handlers, so op handlers that use Vertx.getOrCreateContext() or timers stay on
    // this event loop.
    ContextInternal context = connection.vertxContext();
    ContextInternal previous = context.beginDispatch();
    try {
      onFrame(ctx, frame);
    } finally {
      context.endDispatch(previous);
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    reading = false;
    if (flushPending) {
      flushPending = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  /**
   * Called before a write that needs flushing.
   *
   * @return true when a read is being handled: the caller writes without flushing and the flush
   *     happens when the read completes; false when the caller must flush itself
   */
  boolean deferFlush() {
    if (reading) {
      flushPending = true;
      return true;
    }
    return false;
  }

  private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (corrupt) {
      return;
    }
    if (frame instanceof CloseWebSocketFrame) {
      onClose(ctx, frame);
      return;
    }
    if (frame instanceof PingWebSocketFrame) {
      if (connection.isOpen() && !connection.isClosing()) {
        ctx.write(new PongWebSocketFrame(frame.content().retainedDuplicate()), ctx.voidPromise());
        flushPending = true;
      }
      return;
    }
    if (frame instanceof PongWebSocketFrame || connection.isClosing()) {
      return; // after a close frame either way, data frames are ignored (RFC 6455 5.5.1)
    }
    ByteBuf content = frame.content();
    if (frame instanceof ContinuationWebSocketFrame) {
      if (fragments == null) {
        return; // Netty's decoder rejects a continuation outside a fragmented message
      }
      if (fragments.readableBytes() + content.readableBytes() > maxMessageBytes) {
        releaseFragments();
        gateway.messageTooLarge(connection);
        return;
      }
      fragments.writeBytes(content, content.readerIndex(), content.readableBytes());
      if (frame.isFinalFragment()) {
        ByteBuf message = fragments;
        fragments = null;
        try {
          deliver(message, fragmentsBinary);
        } finally {
          message.release();
        }
      }
      return;
    }
    boolean binary = frame instanceof BinaryWebSocketFrame;
    if (!binary && !(frame instanceof TextWebSocketFrame)) {
      return;
    }
    if (frame.isFinalFragment()) {
      deliver(content, binary);
    } else {
      releaseFragments();
      fragments = ctx.alloc().buffer(Math.min(maxMessageBytes, 2 * content.readableBytes()), maxMessageBytes);
      fragments.writeBytes(content, content.readerIndex(), content.readableBytes());
      fragmentsBinary = binary;
    }
  }

  private void deliver(ByteBuf message, boolean binary) {
    try {
      if (binary) {
        gateway.onBinary(connection, message);
      } else {
        gateway.onText(connection, message.toString(StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      // As Vert.x did for a failing message handler: log it and keep the socket.
      LOG.error("message handler failed on {}", connection.id(), e);
    }
  }

  private void onClose(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (connection.isClosing()) {
      // The client answered our close (or sent its own twice): the server closes TCP first.
      ctx.close();
      return;
    }
    connection.closedByClient();
    ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, frame.content().retainedDuplicate()))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseFragments();
    if (connection != null) {
      ContextInternal context = connection.vertxContext();
      ContextInternal previous = context.beginDispatch();
      try {
        gateway.closed(connection);
      } finally {
        context.endDispatch(previous);
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseFragments();
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException bad)) {
      LOG.debug("socket {} error: {}", connection == null ? ctx.channel() : connection.id(), cause.toString());
      ctx.close();
      return;
    }
    if (corrupt) {
      return;
    }
    corrupt = true;
    releaseFragments();
    WebSocketCloseStatus status = bad.closeStatus();
    int code = status == null ? Protocol.CLOSE_POLICY : status.code();
    String reason = code == Protocol.CLOSE_TOO_BIG
        ? "frame exceeds " + maxMessageBytes + " bytes"
        : truncate(String.valueOf(bad.getMessage()));
    if (connection != null) {
      gateway.frameRejected(connection, code);
      connection.closedForBadInput();
    }
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason), ctx.voidPromise());
    ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
  }

  /** A close reason must fit in a 125-byte control frame. */
  static String truncate(String reason) {
    if (reason == null) {
      return "";
    }
    String r = reason.length() > 100 ? reason.substring(0, 100) : reason;
    while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }
}
