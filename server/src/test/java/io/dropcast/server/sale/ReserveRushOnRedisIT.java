package io.dropcast.server.sale;

import static io.dropcast.server.testing.Calls.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.RedisServerExtension;
import io.dropcast.server.testing.TestNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rush while Redis is slow to answer: a node runs at most {@code sale.reserves-in-flight} reserve
 * requests against Redis, lets {@code sale.reserves-waiting} more wait their turn, and refuses the
 * rest at once with UNAVAILABLE, reserving nothing for them; the waiting ones complete once Redis
 * answers. Redis is slowed with {@code CLIENT PAUSE} on a redis-server this test owns; buyers reserve
 * over the WebSocket (their tokens need no Redis).
 */
class ReserveRushOnRedisIT {
  @RegisterExtension
  static RedisServerExtension redis = RedisServerExtension.owned();

  static TestNode node;
  static SaleFixtures.Tenant brand;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(Map.of("store", "redis", "redis.url", redis.url(), "redis.timeout-ms", "10000",
        "sale.reserves-in-flight", "1", "sale.reserves-waiting", "1"));
    long deadline = System.currentTimeMillis() + 10_000;
    while (node.rest().get("/ready", null).status() != 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    brand = SaleFixtures.tenant(node, "Rush brand");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static CompletableFuture<JsonNode> reserve(DropcastClient buyer, String sale) {
    return buyer.request("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k"));
  }

  @Test
  void beyond_the_waiting_room_a_buyer_is_refused_at_once_and_the_others_get_their_units_when_redis_answers()
      throws Exception {
    String sale = node.rest().post("/api/v1/sales", brand.apiKey(), brand.liveSale(5, 1)).json().path("id").asText();
    try (DropcastClient b1 = node.connect(brand.token("b1"));
         DropcastClient b2 = node.connect(brand.token("b2"));
         DropcastClient b3 = node.connect(brand.token("b3"))) {
      Process pause = new ProcessBuilder("redis-cli", "-u", redis.url(), "CLIENT", "PAUSE", "2000", "ALL")
          .redirectErrorStream(true).start();
      assertThat(pause.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(new String(pause.getInputStream().readAllBytes()).trim()).isEqualTo("OK");

      CompletableFuture<JsonNode> first = reserve(b1, sale); // runs: waits for Redis
      Thread.sleep(200);
      CompletableFuture<JsonNode> second = reserve(b2, sale); // waits its turn on the node
      Thread.sleep(200);
      long t0 = System.nanoTime();
      CompletableFuture<JsonNode> third = reserve(b3, sale); // no room left: refused at once
      assertThat(errorOf(() -> join(third))).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("refused without waiting for Redis")
          .isLessThan(1000);
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();

      assertThat(first.get(15, TimeUnit.SECONDS).path("state").asText()).isEqualTo("held");
      assertThat(second.get(15, TimeUnit.SECONDS).path("state").asText()).isEqualTo("held");
      JsonNode audit = node.rest().get("/api/v1/sales/" + sale + "/audit", brand.apiKey()).json();
      assertThat(audit.path("held").asLong()).as("b1 and b2 hold a unit, b3 none").isEqualTo(2);
      assertThat(audit.path("consistent").asBoolean()).isTrue();
      // b3 simply retries with the same key
      assertThat(reserve(b3, sale).get(10, TimeUnit.SECONDS).path("state").asText()).isEqualTo("held");
    }
  }

  private static JsonNode join(CompletableFuture<JsonNode> reply) {
    try {
      return reply.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
