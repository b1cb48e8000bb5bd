package io.dropcast.server.live;

import io.dropcast.server.auth.Identity;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.media.ViewerMedia;

/**
 * One connection's membership in one show (hosts and moderators are viewers too).
 *
 * <p>The final fields are immutable and read from any thread. The other fields belong to the
 * connection's event loop ({@link LoopGroup}) and are touched only there.
 */
final class Viewer {
  final ShowRoom room;
  final ClientConnection connection;
  final Identity identity;
  final LoopGroup group;

  // --- confined to the connection's event loop ---
  /** Position in the group's list; -1 when not (or no longer) in it. */
  int index = -1;
  /** Written to since the group's last flush. */
  boolean dirty;
  /** Close requested because the viewer could not keep up. */
  boolean closing;
  final ViewerMedia media = new ViewerMedia();

  Viewer(ShowRoom room, ClientConnection connection, Identity identity, LoopGroup group) {
    this.room = room;
    this.connection = connection;
    this.identity = identity;
    this.group = group;
  }
}
