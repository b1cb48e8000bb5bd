package io.dropcast.server.analytics;

import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisServerExtension;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The analytics-store contract on Redis (one Lua script per delta), against a real redis-server. */
class RedisAnalyticsStoreIT extends AnalyticsStoreContract {
  @RegisterExtension
  static RedisServerExtension redis = new RedisServerExtension();

  static Vertx vertx;
  static RedisStores stores;
  static AnalyticsStore store;

  @BeforeAll
  static void connect() throws Exception {
    vertx = Vertx.vertx();
    stores = redis.connectStores(vertx);
    store = new RedisAnalyticsStore(stores.connector());
  }

  @AfterAll
  static void close() {
    Await.await(stores.close());
    Await.await(vertx.close());
  }

  @Override
  protected AnalyticsStore store() {
    return store;
  }
}
