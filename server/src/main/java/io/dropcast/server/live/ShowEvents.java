package io.dropcast.server.live;

/**
 * Publishes events to the viewers of a show. Implemented by the live-show runtime; used by every
 * feature that has something to tell a show's audience (chat, pins, sales, stock).
 *
 * <p>Thread-safe: may be called from any thread. The event is encoded once and the same bytes are
 * written to every viewer.
 */
public interface ShowEvents {

  /**
   * Publishes a sequenced event: it gets the show's next {@code seq}, is kept in the bounded recovery
   * history, and reaches every viewer currently in the show.
   */
  void publish(String showId, String event, Object data);

  /**
   * Publishes a latest-value-wins event (counters such as viewers, reactions, remaining stock):
   * values with the same {@code key} are coalesced and sent at most a few times per second, and the
   * last value is always delivered. Each delivered value is sequenced like {@link #publish}.
   */
  void publishCoalesced(String showId, String key, String event, Object data);

  /**
   * Publishes a latest-value event that carries the version of the value (e.g. a sale's stock, read
   * with the counters' version): it is sequenced like {@link #publish}, unless a value with the same
   * {@code key} and a version at least as high was published already, on any node. Viewers thus
   * never get an older value after a newer one, whichever node read which.
   */
  void publishVersioned(String showId, String key, long version, String event, Object data);

  /**
   * Publishes a sequenced event at most once per {@code onceKey} for the show, across all nodes
   * (e.g. a sale's start, which every node's ticker notices). Safe to retry until it succeeds.
   *
   * @return completes when the event was published, or was already published under this key
   */
  io.vertx.core.Future<Void> publishOnce(String showId, String onceKey, String event, Object data);
}
