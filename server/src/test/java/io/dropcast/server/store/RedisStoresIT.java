package io.dropcast.server.store;

import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisServerExtension;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stores contract on the Redis store, against a real redis-server started for this class. */
class RedisStoresIT extends StoresContract {
  @RegisterExtension
  static RedisServerExtension redis = new RedisServerExtension();

  static Vertx vertx;
  static RedisStores stores;

  @BeforeAll
  static void connect() throws Exception {
    vertx = Vertx.vertx();
    stores = redis.connectStores(vertx);
  }

  @AfterAll
  static void close() {
    Await.await(stores.close());
    Await.await(vertx.close());
  }

  @Override
  protected Stores stores() {
    return stores;
  }
}
