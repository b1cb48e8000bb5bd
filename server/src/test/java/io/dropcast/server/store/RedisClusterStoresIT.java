package io.dropcast.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisClusterExtension;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stores contract (entities, unique keys, brand lists, chat history) on a real 3-master Redis Cluster. */
class RedisClusterStoresIT extends StoresContract {
  @RegisterExtension
  static RedisClusterExtension cluster = new RedisClusterExtension();

  static Vertx vertx;
  static RedisStores stores;

  @BeforeAll
  static void connect() throws Exception {
    vertx = Vertx.vertx();
    stores = cluster.connectStores(vertx);
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

  @Test
  void the_stores_run_in_cluster_mode_and_are_ready() {
    assertThat(stores.connector().mode()).isEqualTo(RedisConnector.Mode.CLUSTER);
    assertThat(stores.connector().isConnected()).isTrue();
    Await.await(stores.ping());
    for (int port : cluster.ports()) {
      assertThat(cluster.clusterInfo(port)).contains("cluster_state:ok").contains("cluster_size:3");
    }
  }
}
