package io.dropcast.server.gateway;

import io.dropcast.protocol.JsonCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builds complete server-to-client WebSocket frames (RFC 6455: FIN set, unmasked, no extensions)
 * once, so the same bytes can be written to every viewer below the WebSocket encoder, with no
 * per-viewer frame object, header buffer or encoding (see {@link ClientConnection#writeShared}).
 *
 * <p>Assumes no WebSocket extension (per-message deflate is off in the server options). Buffers are
 * direct, from the default allocator; the caller owns the one it gets.
 */
public final class WireFrames {
  /** Largest header: 2 bytes + 8-byte length. */
  public static final int MAX_HEADER = 10;
  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;

  private WireFrames() {}

  /**
   * @return a buffer with {@link #MAX_HEADER} bytes reserved in front: write the payload, then call
   *     {@link #seal(ByteBuf, boolean)}
   */
  public static ByteBuf open(int expectedPayload) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(MAX_HEADER + expectedPayload);
    buf.writerIndex(MAX_HEADER).readerIndex(MAX_HEADER);
    return buf;
  }

  /** Writes the frame header in front of the payload of a buffer from {@link #open}; returns it. */
  public static ByteBuf seal(ByteBuf buf, boolean binary) {
    int length = buf.writerIndex() - MAX_HEADER;
    int headerSize = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    int start = MAX_HEADER - headerSize;
    buf.setByte(start, 0x80 | (binary ? OPCODE_BINARY : OPCODE_TEXT));
    if (headerSize == 2) {
      buf.setByte(start + 1, length);
    } else if (headerSize == 4) {
      buf.setByte(start + 1, 126);
      buf.setShort(start + 2, length);
    } else {
      buf.setByte(start + 1, 127);
      buf.setLong(start + 2, length);
    }
    buf.readerIndex(start);
    return buf;
  }

  /** @return {@code message} encoded as JSON straight into one complete text frame */
  public static ByteBuf json(Object message) {
    ByteBuf buf = open(256);
    try {
      JsonCodec.mapper().writeValue((OutputStream) new ByteBufOutputStream(buf), message);
      return seal(buf, false);
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** @return a new complete frame holding a copy of {@code payload}'s readable bytes */
  public static ByteBuf copyOf(ByteBuf payload, boolean binary) {
    ByteBuf buf = open(payload.readableBytes());
    buf.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    return seal(buf, binary);
  }
}
