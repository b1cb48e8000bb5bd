package io.dropcast.server.sale;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.RedisSentinelExtension;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that reaches Redis through Sentinel (a master, a replica, two Sentinels, all real
 * processes): a flash sale carries on after the master dies and the Sentinels promote the replica,
 * with every order confirmed before the failover still there and no unit sold twice.
 */
class SaleOnSentinelIT {
  @RegisterExtension
  static RedisSentinelExtension sentinel = new RedisSentinelExtension();

  @Test
  void a_flash_sale_carries_on_through_a_sentinel_failover_without_losing_or_overselling() throws Exception {
    try (TestNode node = TestNode.start(Map.of("store", "redis", "redis.url", sentinel.url(), "sale.tick-ms", "200"))) {
      awaitReady(node, 20_000);
      SaleFixtures.Tenant t = SaleFixtures.tenant(node, "Sentinel brand");
      String sale = t.createSale(t.liveSale(6, 1));
      List<String> before = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        before.add(buy(node, t, sale, "early-" + i, 10_000));
      }
      sentinel.awaitReplicated();

      sentinel.killMaster();
      sentinel.awaitFailover(30_000);
      assertThat(sentinel.currentMasterPort()).isEqualTo(sentinel.replicaPort());

      // Buyers arriving during and after the failover: retried with the same key while UNAVAILABLE, as a client would.
      List<String> after = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        after.add(buy(node, t, sale, "late-" + i, 60_000));
      }
      String tooLate = reserveOutcome(node, t, sale, "one-too-many", 30_000);
      assertThat(tooLate).isEqualTo(ErrorCode.SOLD_OUT.name());

      Rest.Response orders = node.rest().get("/api/v1/orders?show=" + t.showId(), t.apiKey());
      assertThat(orders.status()).as(orders.text()).isEqualTo(200);
      List<String> all = new ArrayList<>(before);
      all.addAll(after);
      assertThat(orders.json().path("orders").findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(all);
      Rest.Response audit = node.rest().get("/api/v1/sales/" + sale + "/audit", t.apiKey());
      assertThat(audit.json().path("sold").asLong()).as(audit.text()).isEqualTo(6);
      assertThat(audit.json().path("available").asLong()).isZero();
      assertThat(audit.json().path("consistent").asBoolean()).as(audit.text()).isTrue();
    }
  }

  /** Reserves one unit and confirms it; @return the order id. */
  private static String buy(TestNode node, SaleFixtures.Tenant t, String sale, String buyer, long withinMs) throws Exception {
    long deadline = System.currentTimeMillis() + withinMs;
    while (true) {
      try (DropcastClient client = node.connect(t.token(buyer))) {
        JsonNode held = client.request("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k"))
            .get(10, TimeUnit.SECONDS);
        JsonNode order = client.request("reservation.confirm", null,
            Map.of("reservation", held.path("reservation").asText())).get(10, TimeUnit.SECONDS);
        return order.path("order").path("id").asText();
      } catch (ExecutionException e) {
        if (!isUnavailable(e) || System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      } catch (RuntimeException e) {
        // connecting while the node cannot reach Redis (token checks, join) may fail too: retry
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** @return "OK" or the error code of one reserve, retried while UNAVAILABLE */
  private static String reserveOutcome(TestNode node, SaleFixtures.Tenant t, String sale, String buyer, long withinMs)
      throws Exception {
    long deadline = System.currentTimeMillis() + withinMs;
    try (DropcastClient client = node.connect(t.token(buyer))) {
      while (true) {
        try {
          client.request("sale.reserve", null, Map.of("sale", sale, "quantity", 1, "idempotencyKey", "k")).get(10, TimeUnit.SECONDS);
          return "OK";
        } catch (ExecutionException e) {
          if (isUnavailable(e) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            continue;
          }
          return e.getCause() instanceof ProtocolException p ? p.code().name() : e.getCause().toString();
        }
      }
    }
  }

  private static boolean isUnavailable(ExecutionException e) {
    return e.getCause() instanceof ProtocolException p && p.code() == ErrorCode.UNAVAILABLE;
  }

  private static void awaitReady(TestNode node, long withinMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + withinMs;
    while (node.rest().get("/ready", null).status() != 200) {
      assertThat(System.currentTimeMillis()).as("node ready through Sentinel").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
