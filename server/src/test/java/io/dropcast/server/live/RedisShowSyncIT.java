package io.dropcast.server.live;

import static io.dropcast.server.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.message.Events;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.RedisServerExtension;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RedisShowSync} of two nodes on one real redis-server, where the outcome depends on the order
 * in which the nodes' publishes reach Redis, which a test over sockets cannot force.
 */
class RedisShowSyncIT {
  @RegisterExtension
  static RedisServerExtension redis = RedisServerExtension.owned();

  static Vertx vertx;
  static RedisStores stores;

  @BeforeAll
  static void start() throws InterruptedException {
    vertx = Vertx.vertx();
    stores = redis.connectStores(vertx);
  }

  @AfterAll
  static void stop() {
    await(stores.close());
    await(vertx.close());
  }

  @Test
  void a_stock_value_read_earlier_on_another_node_is_not_shown_after_a_newer_one() {
    RedisShowSync nodeA = new RedisShowSync(vertx, stores.connector(), 100);
    RedisShowSync nodeB = new RedisShowSync(vertx, stores.connector(), 100);
    String show = "shw_versioned";
    // Node A read the stock at version 5 (4 left), node B at version 3 (6 left), but B's publish lands second.
    assertThat(await(nodeA.publish(show, Events.SALE_STOCK, Map.of("sale", "s1", "remaining", 4), null, null, "stock:s1", 5))).isTrue();
    assertThat(await(nodeB.publish(show, Events.SALE_STOCK, Map.of("sale", "s1", "remaining", 6), null, null, "stock:s1", 3))).isFalse();
    assertThat(await(nodeB.publish(show, Events.SALE_STOCK, Map.of("sale", "s1", "remaining", 4), null, null, "stock:s1", 5))).isFalse();
    assertThat(await(nodeB.publish(show, Events.SALE_STOCK, Map.of("sale", "s1", "remaining", 3), null, null, "stock:s1", 6))).isTrue();
    // Another sale of the show has its own versions.
    assertThat(await(nodeB.publish(show, Events.SALE_STOCK, Map.of("sale", "s2", "remaining", 9), null, null, "stock:s2", 1))).isTrue();

    String historyKey = "dc:{show:" + show + "}:history";
    List<String> history = await(stores.connector().<List<String>>call(c -> c.zrange(historyKey, 0, -1)));
    // A message is "seq \n meta \n event-json"; the event JSON has no raw newline.
    assertThat(history).extracting(m -> JsonCodec.parse(m.substring(m.lastIndexOf('\n') + 1)))
        .extracting(e -> e.path("seq").asLong() + ":" + e.path("data").path("remaining").asInt())
        .containsExactly("1:4", "2:3", "3:9");
  }
}
