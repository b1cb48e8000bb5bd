package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.RedisServerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sale-store contract on Redis (Lua scripts, Redis TIME), against a real redis-server; plus how a
 * rush reaches Redis (group commit of reserves).
 */
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

  private static long scriptCalls() {
    String stats = await(stores.connector().<String>call(c -> c.info("commandstats")));
    Matcher m = Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(stats);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Test
  void a_rush_of_three_hundred_buyers_reaches_redis_in_a_handful_of_script_calls_with_the_same_outcome() throws Exception {
    Sale sale = liveSale(100, 1, 60);
    await(store.reserve(sale.id(), "warm", 1, "k")); // loads the script
    long before = scriptCalls();

    // All 300 requests arrive in one event-loop turn, as a burst of socket frames would.
    CompletableFuture<List<Object>> outcomes = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      List<Future<SaleStore.Outcome<Reservation>>> rush = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        rush.add(store.reserve(sale.id(), "buyer-" + i, 1, "k"));
      }
      Future.join(rush).onComplete(ar -> {
        List<Object> results = new ArrayList<>();
        for (Future<SaleStore.Outcome<Reservation>> f : rush) {
          results.add(f.succeeded() ? f.result() : ((ProtocolException) f.cause()).code());
        }
        outcomes.complete(results);
      });
    });
    List<Object> results = outcomes.get(30, TimeUnit.SECONDS);

    assertThat(results.stream().filter(r -> r instanceof SaleStore.Outcome<?>).count()).isEqualTo(99);
    assertThat(results.stream().filter(r -> r == ErrorCode.SOLD_OUT).count()).isEqualTo(201);
    StockCounters stock = await(store.stock(sale.id()));
    assertThat(stock.held()).isEqualTo(100);
    assertThat(stock.consistent()).isTrue();
    // Two go at once alone; the other 298 wait for them and follow in batches of at most 64.
    assertThat(scriptCalls() - before).isBetween(2L + (298 + ReserveBatches.MAX_BATCH - 1) / ReserveBatches.MAX_BATCH, 12L);
  }
}
