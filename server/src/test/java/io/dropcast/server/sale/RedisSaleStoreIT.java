package io.dropcast.server.sale;

import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisServerExtension;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sale-store contract on Redis (Lua scripts, Redis TIME), against a real redis-server. */
class RedisSaleStoreIT extends RedisSaleStoreContract {
  @RegisterExtension
  static RedisServerExtension redis = new RedisServerExtension();

  static Vertx vertx;
  static RedisStores stores;
  static SaleStore store;

  @BeforeAll
  static void connect() throws Exception {
    vertx = Vertx.vertx();
    stores = redis.connectStores(vertx);
    store = new RedisSaleStore(stores.connector(), Clock.systemUTC());
  }

  @AfterAll
  static void close() {
    Await.await(stores.close());
    Await.await(vertx.close());
  }

  @Override
  protected SaleStore store() {
    return store;
  }

  @Override
  protected RedisConnector connector() {
    return stores.connector();
  }
}
