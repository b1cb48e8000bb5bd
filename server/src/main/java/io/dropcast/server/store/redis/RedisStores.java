package io.dropcast.server.store.redis;

import io.dropcast.server.brand.ApiKey;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.chat.ChatHistoryStore;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.EntityStore;
import io.dropcast.server.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * {@link Stores} shared through Redis ({@code store=redis}), standalone or Redis Cluster: one
 * pipelined Lettuce connection (see {@link RedisConnector}), every key prefixed {@code dc:} and
 * hash-tagged so each script touches one slot (docs/redis-keys.md). Thread-safe, never blocks.
 */
public final class RedisStores implements Stores {
  private final RedisConnector redis;
  private final EntityStore<Brand> brands;
  private final EntityStore<ApiKey> apiKeys;
  private final EntityStore<Product> products;
  private final EntityStore<Show> shows;
  private final ChatHistoryStore chatHistory;

  /** Starts connecting to the standalone Redis at {@code url} in the background; until connected, calls fail with UNAVAILABLE. */
  public RedisStores(Vertx vertx, String url, Duration timeout) {
    this(vertx, RedisConnector.Mode.STANDALONE, url, timeout);
  }

  /**
   * Starts connecting in the background; until connected, calls fail with UNAVAILABLE.
   *
   * @param url one URI, or in cluster mode one or more seed URIs separated by commas
   */
  public RedisStores(Vertx vertx, RedisConnector.Mode mode, String url, Duration timeout) {
    this.redis = new RedisConnector(vertx, mode, url, timeout);
    this.brands = new RedisEntityStore<>(redis, "brand", "brand", Brand.class);
    this.apiKeys = new RedisEntityStore<>(redis, "apikey", "api key", ApiKey.class);
    this.products = new RedisEntityStore<>(redis, "product", "product", Product.class);
    this.shows = new RedisEntityStore<>(redis, "show", "show", Show.class);
    this.chatHistory = new RedisChatHistoryStore(redis);
  }

  /** @return the shared connection, for features that keep their own Redis state (sales) */
  public RedisConnector connector() {
    return redis;
  }

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
    return redis.<String>call(c -> c.ping()).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }
}
