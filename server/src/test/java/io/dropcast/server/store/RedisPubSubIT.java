package io.dropcast.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisClusterExtension;
import io.dropcast.server.testing.RedisServerExtension;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RedisConnector#connectPubSub}: a message published with {@code call(c -> c.publish(...))}
 * reaches a subscriber, on a standalone Redis and on a 3-master Redis Cluster (whichever master owns
 * the channel name's slot).
 */
class RedisPubSubIT {
  @RegisterExtension
  static RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension
  static RedisClusterExtension cluster = new RedisClusterExtension();

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.await(vertx.close());
  }

  /** Subscribes, publishes each channel's name as the message through {@code call}, returns what arrived as channel → message. */
  private static Map<String, String> publishAndReceive(RedisConnector connector, List<String> channels) throws Exception {
    StatefulRedisPubSubConnection<String, String> sub =
        connector.connectPubSub(StringCodec.UTF8).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(new String[] {channel, message});
        }
      });
      sub.async().subscribe(channels.toArray(String[]::new)).get(10, TimeUnit.SECONDS);
      Map<String, String> got = new HashMap<>();
      for (String channel : channels) {
        Long listeners = Await.await(connector.<Long>call(c -> c.publish(channel, "hello " + channel)));
        assertThat(listeners).as("PUBLISH reaches the subscribing node").isGreaterThanOrEqualTo(0L);
      }
      long deadline = System.currentTimeMillis() + 10_000;
      while (got.size() < channels.size() && System.currentTimeMillis() < deadline) {
        String[] m = received.poll(100, TimeUnit.MILLISECONDS);
        if (m != null) {
          got.put(m[0], m[1]);
        }
      }
      return got;
    } finally {
      sub.close();
    }
  }

  @Test
  void a_message_published_through_call_reaches_a_subscriber_on_standalone_redis() throws Exception {
    RedisStores stores = redis.connectStores(vertx);
    try {
      assertThat(publishAndReceive(stores.connector(), List.of("dc:show:one", "dc:show:two")))
          .containsExactlyInAnyOrderEntriesOf(Map.of("dc:show:one", "hello dc:show:one", "dc:show:two", "hello dc:show:two"));
    } finally {
      Await.await(stores.close());
    }
  }

  @Test
  void a_message_published_through_call_reaches_a_subscriber_on_a_cluster_whichever_master_owns_the_channel() throws Exception {
    // One channel whose name hashes to each master, so publishes enter the cluster on every node.
    Map<Integer, String> channelOf = new HashMap<>();
    for (int i = 0; channelOf.size() < 3 && i < 1000; i++) {
      channelOf.putIfAbsent(cluster.nodeOf("dc:show:" + i), "dc:show:" + i);
    }
    assertThat(channelOf).hasSize(3);
    List<String> channels = new ArrayList<>(channelOf.values());
    RedisStores stores = cluster.connectStores(vertx);
    try {
      Map<String, String> expected = new HashMap<>();
      channels.forEach(c -> expected.put(c, "hello " + c));
      assertThat(publishAndReceive(stores.connector(), channels)).containsExactlyInAnyOrderEntriesOf(expected);
    } finally {
      Await.await(stores.close());
    }
  }

  @Test
  void a_closed_connector_refuses_new_pub_sub_connections_as_unavailable() throws Exception {
    RedisStores stores = redis.connectStores(vertx);
    Await.await(stores.close());
    assertThatThrownBy(() -> stores.connector().connectPubSub(StringCodec.UTF8).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
  }
}
