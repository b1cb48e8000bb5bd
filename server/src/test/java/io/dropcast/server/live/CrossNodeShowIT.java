package io.dropcast.server.live;

import io.dropcast.server.testing.RedisServerExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CrossNodeShowScenarios} with two nodes on one standalone redis-server. */
class CrossNodeShowIT extends CrossNodeShowScenarios {
  @RegisterExtension
  static RedisServerExtension redis = RedisServerExtension.owned();

  @Override
  Map<String, String> redisSettings() {
    return Map.of("store", "redis", "redis.url", redis.url());
  }
}
