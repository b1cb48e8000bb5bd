package io.dropcast.server.media;

import io.dropcast.protocol.media.MediaFrame;
import io.netty.buffer.ByteBuf;

/**
 * One media frame on its way from a host to the viewers: the whole wire frame (header + payload),
 * copied once into a direct buffer, and its parsed header.
 *
 * <p>Buffer ownership: whoever holds a RelayFrame holds one reference to {@code content} and must
 * {@link #release()} it (or hand it on). Writers share the bytes through
 * {@code ClientConnection.writeShared}, which writes retained duplicates.
 *
 * @param content header + payload, exactly as the host sent it
 * @param header the parsed header
 * @param receivedNanos {@link System#nanoTime()} when this node read the frame (from the host, or from
 *     Redis for a host on another node): where the server-added latency starts
 */
public record RelayFrame(ByteBuf content, MediaFrame.Header header, long receivedNanos) {

  /** @return the frame's size in bytes */
  public int size() {
    return content.readableBytes();
  }

  /** A frame read just now. */
  public RelayFrame(ByteBuf content, MediaFrame.Header header) {
    this(content, header, System.nanoTime());
  }

  /** @return this frame with one more reference to its content */
  public RelayFrame retain() {
    content.retain();
    return this;
  }

  /** Releases one reference. */
  public void release() {
    content.release();
  }
}
