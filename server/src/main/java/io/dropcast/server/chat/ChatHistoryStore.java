package io.dropcast.server.chat;

import io.vertx.core.Future;
import java.util.List;

/**
 * The bounded recent chat of each show, kept where every node (and a restarted node) can read it.
 *
 * <p>Implementations are thread-safe, never block, and complete their futures on the caller's
 * context (the in-memory store completes at once). Failures are
 * {@link io.dropcast.protocol.ProtocolException}s ({@code UNAVAILABLE} when the backing store cannot
 * be reached). The live-show runtime reads the history once when a show's room is created and then
 * keeps its own window in memory, so a slow store never delays a join.
 */
public interface ChatHistoryStore {

  /**
   * Appends a message and trims the show's history to its newest {@code keep} messages.
   *
   * @param keep how many messages to keep (0 keeps none)
   */
  Future<Void> append(String showId, ChatMessage message, int keep);

  /** @return up to {@code limit} newest messages of the show, oldest first; empty when none */
  Future<List<ChatMessage>> recent(String showId, int limit);

  /** @return true when a message with this id was in the history and was removed */
  Future<Boolean> delete(String showId, String messageId);
}
