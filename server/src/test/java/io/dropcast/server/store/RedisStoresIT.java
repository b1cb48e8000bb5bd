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
    stores = new RedisStores(vertx, redis.url(), Duration.ofSeconds(2));
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        Await.await(stores.ping());
        return;
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
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
