package io.dropcast.server.media;

import io.dropcast.protocol.media.MediaFrame.Kind;
import io.dropcast.protocol.media.MediaFrame.TrackType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a late joiner needs to start playback at once: the latest codec config of every track and
 * every frame (all tracks) since the latest video keyframe.
 *
 * <p>Bounded by {@code maxBytes} for the frames since the keyframe: when a GOP grows beyond it the
 * cache drops those frames and stays empty until the next video keyframe (joiners then wait for
 * that keyframe). Configs are one frame per track (at most 256).
 *
 * <p>Threading: confined to the show room's thread. Buffer ownership: the cache holds one reference
 * to each frame it keeps and releases it when the frame leaves the cache or on {@link #clear()}.
 */
public final class GopCache {
  private final long maxBytes;
  private final Map<Integer, RelayFrame> configs = new TreeMap<>();
  private final List<RelayFrame> gop = new ArrayList<>();
  private long gopBytes;
  private boolean anchored;

  public GopCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Offers a frame; the cache retains it when it keeps it (the caller keeps its own reference). */
  public void add(RelayFrame frame) {
    var h = frame.header();
    if (h.kind() == Kind.CONFIG) {
      RelayFrame old = configs.put(h.trackId(), frame.retain());
      if (old != null) {
        old.release();
      }
      return;
    }
    if (h.kind() == Kind.KEY && h.trackType() == TrackType.VIDEO) {
      clearGop();
      anchored = true;
    }
    if (!anchored) {
      return;
    }
    gop.add(frame.retain());
    gopBytes += frame.size();
    if (gopBytes > maxBytes) {
      clearGop();
    }
  }

  /**
   * @return configs (by track id) then the frames since the last video keyframe, in order, each
   *     with one extra reference that the caller must release
   */
  public List<RelayFrame> snapshot() {
    List<RelayFrame> out = new ArrayList<>(configs.size() + gop.size());
    configs.values().forEach(f -> out.add(f.retain()));
    gop.forEach(f -> out.add(f.retain()));
    return out;
  }

  /** @return bytes held for the current GOP */
  public long gopBytes() {
    return gopBytes;
  }

  /** Releases everything (show ended or room closed). */
  public void clear() {
    configs.values().forEach(RelayFrame::release);
    configs.clear();
    clearGop();
  }

  private void clearGop() {
    gop.forEach(RelayFrame::release);
    gop.clear();
    gopBytes = 0;
    anchored = false;
  }
}
