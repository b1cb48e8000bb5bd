package io.dropcast.server.store;

import io.dropcast.server.brand.ApiKey;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.chat.ChatHistoryStore;
import io.dropcast.server.show.Show;
import io.vertx.core.Future;

/**
 * The state seam: every piece of state that several nodes would share is reached through here.
 * {@code store=memory} gives one process its own; {@code store=redis} shares it through Redis.
 *
 * <p>Implementations are thread-safe and never block the calling thread.
 */
public interface Stores {
  EntityStore<Brand> brands();

  EntityStore<ApiKey> apiKeys();

  EntityStore<Product> products();

  EntityStore<Show> shows();

  /** @return the bounded recent chat of each show */
  ChatHistoryStore chatHistory();

  /** @return succeeds when the backing store answers; used by {@code /ready} */
  Future<Void> ping();

  /** Releases connections; the stores must not be used afterwards. */
  Future<Void> close();
}
