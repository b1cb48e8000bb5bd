package io.dropcast.server.store.memory;

import io.dropcast.server.chat.ChatHistoryStore;
import io.dropcast.server.chat.ChatMessage;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * In-process {@link ChatHistoryStore}: one bounded deque per show, guarded by the store's monitor.
 *
 * <p>Thread-safe; critical sections are a few deque operations, so it is fine on an event loop.
 * Each show's deque holds at most {@code keep} messages (the value of the last append); the number
 * of shows is bounded by the shows that exist.
 */
public final class MemoryChatHistoryStore implements ChatHistoryStore {
  private final Map<String, Deque<ChatMessage>> byShow = new HashMap<>();

  @Override
  public synchronized Future<Void> append(String showId, ChatMessage message, int keep) {
    Deque<ChatMessage> messages = byShow.computeIfAbsent(showId, k -> new ArrayDeque<>());
    messages.addLast(message);
    while (messages.size() > keep) {
      messages.removeFirst();
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<ChatMessage>> recent(String showId, int limit) {
    Deque<ChatMessage> messages = byShow.get(showId);
    if (messages == null || limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    List<ChatMessage> all = new ArrayList<>(messages);
    return Future.succeededFuture(List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size())));
  }

  @Override
  public synchronized Future<Boolean> delete(String showId, String messageId) {
    Deque<ChatMessage> messages = byShow.get(showId);
    return Future.succeededFuture(messages != null && messages.removeIf(m -> m.id().equals(messageId)));
  }
}
