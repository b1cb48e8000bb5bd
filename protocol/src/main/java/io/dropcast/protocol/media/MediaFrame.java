package io.dropcast.protocol.media;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A binary media frame, as sent by a host and relayed unchanged to viewers.
 *
 * <p>Layout (big-endian), {@value #HEADER_SIZE}-byte header then the payload:
 * <pre>
 *  offset size field
 *   0     1    version      = {@value #VERSION}
 *   1     1    kind         0 = codec config, 1 = keyframe, 2 = delta
 *   2     1    track id     0..255, chosen by the host (e.g. 0 video, 1 audio)
 *   3     1    track type   0 = video, 1 = audio
 *   4     8    timestamp    presentation time in microseconds (int64)
 *  12     4    duration     microseconds, 0 when unknown (uint32)
 *  16     …    payload      codec config: UTF-8 JSON of a WebCodecs decoder config
 *                             (description base64-encoded); keyframe/delta: the encoded chunk bytes
 * </pre>
 * The header maps one to one onto WebCodecs: {@code EncodedVideoChunk}/{@code EncodedAudioChunk}
 * {@code {type: kind == 1 ? "key" : "delta", timestamp, duration, data: payload}}. Audio chunks are
 * normally all keyframes.
 *
 * <p>Immutable; the payload array is owned by the frame and must not be changed by callers.
 *
 * @param kind frame kind
 * @param trackId track id (0..255)
 * @param trackType video or audio
 * @param timestampMicros presentation timestamp
 * @param durationMicros duration, 0 when unknown
 * @param payload codec config JSON or encoded chunk
 */
public record MediaFrame(Kind kind, int trackId, TrackType trackType, long timestampMicros,
                         long durationMicros, byte[] payload) {
  public static final int VERSION = 1;
  public static final int HEADER_SIZE = 16;

  /** What a frame carries. */
  public enum Kind {
    CONFIG, KEY, DELTA;

    static Kind of(int code) {
      return switch (code) {
        case 0 -> CONFIG;
        case 1 -> KEY;
        case 2 -> DELTA;
        default -> throw new ProtocolException(ErrorCode.BAD_REQUEST, "media frame kind must be 0, 1 or 2, was " + code);
      };
    }
  }

  /** Media type of a track. */
  public enum TrackType {
    VIDEO, AUDIO;

    static TrackType of(int code) {
      return switch (code) {
        case 0 -> VIDEO;
        case 1 -> AUDIO;
        default -> throw new ProtocolException(ErrorCode.BAD_REQUEST, "media track type must be 0 or 1, was " + code);
      };
    }
  }

  public MediaFrame {
    if (trackId < 0 || trackId > 255) {
      throw new IllegalArgumentException("trackId must be 0..255");
    }
    if (durationMicros < 0 || durationMicros > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("durationMicros must fit in uint32");
    }
  }

  /** The parsed header of a frame, read in place without copying the payload. */
  public record Header(Kind kind, int trackId, TrackType trackType, long timestampMicros, long durationMicros,
                       int payloadLength) {}

  /**
   * Reads and validates the header at the buffer's position without consuming it.
   *
   * @throws ProtocolException BAD_REQUEST when the frame is shorter than a header or a field is invalid
   */
  public static Header readHeader(ByteBuffer frame) {
    int length = frame.remaining();
    if (length < HEADER_SIZE) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          "media frame is " + length + " bytes, shorter than the " + HEADER_SIZE + "-byte header");
    }
    ByteBuffer b = frame.duplicate().order(ByteOrder.BIG_ENDIAN);
    int start = b.position();
    int version = b.get(start) & 0xFF;
    if (version != VERSION) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "media frame version must be " + VERSION + ", was " + version);
    }
    Kind kind = Kind.of(b.get(start + 1) & 0xFF);
    int trackId = b.get(start + 2) & 0xFF;
    TrackType trackType = TrackType.of(b.get(start + 3) & 0xFF);
    long timestamp = b.getLong(start + 4);
    long duration = b.getInt(start + 12) & 0xFFFF_FFFFL;
    if (timestamp < 0) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "media frame timestamp must not be negative");
    }
    return new Header(kind, trackId, trackType, timestamp, duration, length - HEADER_SIZE);
  }

  /** Decodes a whole frame, copying the payload. */
  public static MediaFrame decode(byte[] bytes) {
    Header h = readHeader(ByteBuffer.wrap(bytes));
    byte[] payload = new byte[h.payloadLength()];
    System.arraycopy(bytes, HEADER_SIZE, payload, 0, payload.length);
    return new MediaFrame(h.kind(), h.trackId(), h.trackType(), h.timestampMicros(), h.durationMicros(), payload);
  }

  /** @return header + payload as one array */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + payload.length).order(ByteOrder.BIG_ENDIAN);
    b.put((byte) VERSION).put((byte) kind.ordinal()).put((byte) trackId).put((byte) trackType.ordinal());
    b.putLong(timestampMicros).putInt((int) durationMicros).put(payload);
    return b.array();
  }
}
