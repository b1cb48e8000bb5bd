package io.dropcast.server.live;

import io.dropcast.server.testing.RedisClusterExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CrossNodeShowScenarios} with two nodes on a real 3-master Redis Cluster: every show's keys
 * share one hash slot, and plain pub/sub reaches subscribers on any cluster node.
 */
class CrossNodeShowOnClusterIT extends CrossNodeShowScenarios {
  @RegisterExtension
  static RedisClusterExtension cluster = new RedisClusterExtension();

  @Override
  Map<String, String> redisSettings() {
    return Map.of("store", "redis", "redis.mode", "cluster", "redis.url", cluster.url());
  }
}
