package io.dropcast.server.live;

import io.dropcast.server.auth.Identity;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.show.Show;

/**
 * Hears what happens in the show rooms of this node, for features that count it (analytics). Every
 * method has a no-op default; the live runtime calls at most one listener (see
 * {@link LiveShows#activity}).
 *
 * <p>Threading: called on the show room's event loop, inline with the room's own work, so an
 * implementation must return at once, never block and never throw; anything costly is to be
 * aggregated and done later off this path. Calls for one show come from one thread, in order.
 */
public interface ShowActivity {
  /** Listens to nothing. */
  ShowActivity NONE = new ShowActivity() { };

  /** A connection became a member of the show (hosts and moderators too; see {@link Identity#role()}). */
  default void viewerJoined(Show show, Identity who, ClientConnection connection) { }

  /** A membership ended (leave, another join, close, ban, or a failed admission). */
  default void viewerLeft(Show show, Identity who, ClientConnection connection) { }

  /** A chat message was posted (not a chat command). */
  default void chatPosted(Show show, Identity who) { }

  /** A reaction request was counted; {@code count} is its validated count (1 when absent). */
  default void reacted(Show show, Identity who, long count) { }

  /**
   * A product card is now pinned in this node's room of the show: pinned here, pinned on another
   * node (a replicated change), or already pinned when the room attached to a cross-node show.
   */
  default void pinned(Show show, String productId) { }

  /** A product card is no longer pinned in this node's room (unpinned anywhere, or the room closed). */
  default void unpinned(Show show, String productId) { }
}
