package io.dropcast.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisServerExtension;
import io.dropcast.server.testing.TestNode;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis down: calls fail fast with UNAVAILABLE, a node still starts, and both recover when Redis comes up. */
class RedisUnavailableIT {
  @RegisterExtension
  static RedisServerExtension redis = RedisServerExtension.owned();

  @Test
  void store_calls_fail_fast_with_unavailable_while_redis_is_down_and_recover_when_it_is_up() throws Exception {
    redis.stop();
    Vertx vertx = Vertx.vertx();
    RedisStores stores = new RedisStores(vertx, redis.url(), Duration.ofMillis(500));
    try {
      long t0 = System.nanoTime();
      assertThat(Await.failureCode(stores.products().get("prd_x"))).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(Await.failureCode(stores.ping())).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
      redis.start();
      long deadline = System.currentTimeMillis() + 15_000;
      while (!stores.connector().isConnected() && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      Await.await(stores.ping());
      assertThat(Await.await(stores.products().get("prd_x"))).isNull();
    } finally {
      Await.await(stores.close());
      Await.await(vertx.close());
    }
  }

  @Test
  void node_with_store_redis_starts_before_redis_and_becomes_ready_when_it_answers() throws Exception {
    redis.stop();
    try (TestNode node = TestNode.start(Map.of("store", "redis", "redis.url", redis.url(), "redis.timeout-ms", "500"))) {
      assertThat(node.rest().get("/ready", null).status()).isEqualTo(503);
      assertThat(node.rest().get("/health", null).status()).isEqualTo(200);
      redis.start();
      long deadline = System.currentTimeMillis() + 15_000;
      int status = 503;
      while (status != 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        status = node.rest().get("/ready", null).status();
      }
      assertThat(status).isEqualTo(200);
    }
  }
}
