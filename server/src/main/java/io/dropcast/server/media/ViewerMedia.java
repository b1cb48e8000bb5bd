package io.dropcast.server.media;

import io.dropcast.protocol.media.MediaFrame.Header;
import io.dropcast.protocol.media.MediaFrame.Kind;
import io.dropcast.protocol.media.MediaFrame.TrackType;

/**
 * The slow-viewer policy for one viewer: decides, per frame, whether to write it now.
 *
 * <ul>
 *   <li>Codec configs are always written unless more than the hard cap is already queued for the
 *       viewer; then the viewer is too slow and gets closed ({@link Action#TOO_SLOW}).</li>
 *   <li>A video keyframe is written when the socket is writable; otherwise it is dropped.</li>
 *   <li>A video delta is written only when the viewer got this track's last keyframe (or every
 *       frame since) and the socket is writable. Once a frame of a video track is dropped, the
 *       track waits for its next writable keyframe: a decoder never sees a delta without its
 *       reference frames. A fresh viewer starts waiting, so it never starts on a delta.</li>
 *   <li>Audio frames are independent: written when writable, dropped otherwise.</li>
 * </ul>
 *
 * <p>Threading: confined to the viewer's event loop; not thread-safe. 32 bytes per viewer.
 */
public final class ViewerMedia {
  /** What to do with a frame. */
  public enum Action { WRITE, DROP, TOO_SLOW }

  /** Bit per track id (0..255): set while the viewer holds a decodable chain for that video track. */
  private final long[] hasKey = new long[4];

  /**
   * @param writable whether the viewer's socket is below its write high-water mark
   * @param queuedBytes bytes queued for the viewer
   * @param hardCap queued bytes beyond which a must-deliver frame closes the viewer
   */
  public Action decide(Header h, boolean writable, long queuedBytes, long hardCap) {
    if (h.kind() == Kind.CONFIG) {
      return queuedBytes < hardCap ? Action.WRITE : Action.TOO_SLOW;
    }
    if (h.trackType() == TrackType.AUDIO) {
      return writable ? Action.WRITE : Action.DROP;
    }
    int track = h.trackId();
    if (h.kind() == Kind.KEY) {
      set(track, writable);
      return writable ? Action.WRITE : Action.DROP;
    }
    if (!get(track)) {
      return Action.DROP;
    }
    if (!writable) {
      set(track, false);
      return Action.DROP;
    }
    return Action.WRITE;
  }

  /** Makes every video track wait for its next keyframe (frames were skipped upstream). */
  public void resync() {
    java.util.Arrays.fill(hasKey, 0L);
  }

  private boolean get(int track) {
    return (hasKey[track >>> 6] & (1L << (track & 63))) != 0;
  }

  private void set(int track, boolean on) {
    if (on) {
      hasKey[track >>> 6] |= 1L << (track & 63);
    } else {
      hasKey[track >>> 6] &= ~(1L << (track & 63));
    }
  }
}
