package io.dropcast.server.gateway;

import io.dropcast.protocol.Protocol;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Turns a frame that Netty cannot decode (larger than the transport limit, invalid UTF-8 in a text
 * frame, a protocol violation) into a proper WebSocket close: close frame with Netty's status (1009
 * for a frame that is too big), then the TCP connection is closed after a short linger.
 *
 * <p>Without it Vert.x drops the TCP connection at once without a close frame, and because the rest
 * of the oversized frame is still arriving the kernel answers with a reset: the client only sees
 * 1006. During the linger the WebSocket decoder (now in its corrupt state) keeps reading and
 * discarding input, so the client can finish its send and read the close frame.
 *
 * <p>It also marks the connection's reads: replies {@link ClientConnection#send sent} while a read is
 * being handled (the usual case: an op answered at once) are flushed together when the read
 * completes, so a client that sent several requests in one TCP segment gets their replies in one
 * write instead of one system call each (see {@link #deferFlush()}).
 *
 * <p>Sits in the channel pipeline just before Vert.x's handler; runs on the connection's event loop.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {
  /** How long to keep draining input after the close frame before closing the TCP connection. */
  static final long LINGER_MS = 1000;

  private final int maxFrameBytes;
  private final IntConsumer onClose;
  private boolean closing;
  /** Between a channelRead and its channelReadComplete. */
  private boolean reading;
  /** A write was left unflushed until the current read completes. */
  private boolean flushPending;

  /**
   * @param maxFrameBytes the transport limit, named in the close reason
   * @param onClose told the close code once, when a close frame is sent
   */
  FrameGuard(int maxFrameBytes, IntConsumer onClose) {
    this.maxFrameBytes = maxFrameBytes;
    this.onClose = onClose;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    ctx.fireChannelRead(msg);
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

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException corrupt)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (closing) {
      return;
    }
    closing = true;
    WebSocketCloseStatus status = corrupt.closeStatus();
    int code = status == null ? Protocol.CLOSE_POLICY : status.code();
    String reason = code == Protocol.CLOSE_TOO_BIG
        ? "frame exceeds " + maxFrameBytes + " bytes"
        : truncate(String.valueOf(corrupt.getMessage()));
    onClose.accept(code);
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
    ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
  }

  /** A close reason must fit in a 125-byte control frame. */
  private static String truncate(String reason) {
    return reason.length() > 100 ? reason.substring(0, 100) : reason;
  }
}
