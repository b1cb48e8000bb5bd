package io.dropcast.server.store.memory;

import io.dropcast.server.brand.ApiKey;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.chat.ChatHistoryStore;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.EntityStore;
import io.dropcast.server.store.Stores;
import io.vertx.core.Future;

/** The zero-setup store for a single node: everything lives in this process and dies with it. */
public final class MemoryStores implements Stores {
  private final EntityStore<Brand> brands = new MemoryEntityStore<>("brand");
  private final EntityStore<ApiKey> apiKeys = new MemoryEntityStore<>("api key");
  private final EntityStore<Product> products = new MemoryEntityStore<>("product");
  private final EntityStore<Show> shows = new MemoryEntityStore<>("show");
  private final ChatHistoryStore chatHistory = new MemoryChatHistoryStore();

  @Override
  public EntityStore<Brand> brands() {
    return brands;
  }

  @Override
  public EntityStore<ApiKey> apiKeys() {
    return apiKeys;
  }

  @Override
  public EntityStore<Product> products() {
    return products;
  }

  @Override
  public EntityStore<Show> shows() {
    return shows;
  }

  @Override
  public ChatHistoryStore chatHistory() {
    return chatHistory;
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
