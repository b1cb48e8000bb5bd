package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisClusterExtension;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flash-sale contract (and the order-stream guarantees) on a real 3-master Redis Cluster: every
 * sale script must stay inside its sale's hash slot, and sales spread over the masters.
 */
class RedisClusterSaleStoreIT extends RedisSaleStoreContract {
  @RegisterExtension
  static RedisClusterExtension cluster = new RedisClusterExtension();

  static Vertx vertx;
  static RedisStores stores;
  static SaleStore store;

  @BeforeAll
  static void connect() throws Exception {
    vertx = Vertx.vertx();
    stores = cluster.connectStores(vertx);
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

  @Test
  void sales_spread_over_all_masters_and_the_order_stream_shares_a_slot_with_its_dedup_hash() {
    Set<Integer> masters = new HashSet<>();
    for (int i = 0; i < 100 && masters.size() < 3; i++) {
      Sale sale = liveSale(2, 1, 60);
      Reservation r = await(store.reserve(sale.id(), "ann", 1, "k")).value();
      int master = cluster.nodeOf("dc:{sale:" + sale.id() + "}:def");
      assertThat(cluster.nodeOf("dc:{sale:" + sale.id() + "}:r:" + r.id())).isEqualTo(master);
      assertThat(cluster.command(master, "HGET", "dc:{sale:" + sale.id() + "}:r:" + r.id(), "state")).isEqualTo("held");
      masters.add(master);
    }
    assertThat(masters).containsExactlyInAnyOrderElementsOf(cluster.ports());
    assertThat(cluster.keysPerNode()).allSatisfy(n -> assertThat(n).isPositive());
    int port = cluster.ports().get(0);
    assertThat(cluster.command(port, "CLUSTER", "KEYSLOT", RedisSaleStore.ORDER_STREAM))
        .isEqualTo(cluster.command(port, "CLUSTER", "KEYSLOT", RedisSaleStore.ORDER_STREAM_APPENDED));
  }
}
