package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.await;
import static io.dropcast.server.testing.Await.failureCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SaleStore} contract, run unchanged against the in-memory and the Redis store. Calls the
 * store API directly (it is the store's contract); REST and socket behaviour is tested elsewhere.
 */
public abstract class SaleStoreContract {
  private ExecutorService pool;

  protected abstract SaleStore store();

  @BeforeEach
  void pool() {
    pool = Executors.newFixedThreadPool(16);
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static Sale sale(String brand, int quantity, int limit, int holdSeconds, Instant startsAt, Instant endsAt) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Sale(Ids.newId("sal"), brand, Ids.newId("prd"), "shw_x", 1990, "EUR", quantity,
        startsAt.truncatedTo(ChronoUnit.MILLIS), endsAt.truncatedTo(ChronoUnit.MILLIS), limit, holdSeconds,
        Sale.State.SCHEDULED, now, now);
  }

  Sale liveSale(int quantity, int limit, int holdSeconds) {
    Instant now = Instant.now();
    return await(store().create(sale(Ids.newId("brd"), quantity, limit, holdSeconds, now.minusSeconds(1), now.plusSeconds(3600))));
  }

  /** Runs {@code n} calls concurrently from a thread pool and waits for all outcomes. */
  <T> List<Object> concurrently(int n, java.util.function.IntFunction<Future<T>> call) throws InterruptedException {
    List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      pool.execute(() -> {
        try {
          start.await();
          results.add(await(call.apply(index)));
        } catch (ProtocolException e) {
          results.add(e.code());
        } catch (Exception e) {
          results.add(e);
        } finally {
          done.countDown();
        }
      });
    }
    start.countDown();
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    return results;
  }

  @Test
  void thousand_concurrent_buyers_for_a_hundred_units_hold_exactly_a_hundred() throws Exception {
    Sale sale = liveSale(100, 1, 60);
    List<Object> results = concurrently(1000, i -> store().reserve(sale.id(), "buyer-" + i, 1, "k-" + i));
    long held = results.stream().filter(r -> r instanceof SaleStore.Outcome<?>).count();
    long soldOut = results.stream().filter(r -> r == ErrorCode.SOLD_OUT).count();
    assertThat(held).isEqualTo(100);
    assertThat(soldOut).isEqualTo(900);
    StockCounters stock = await(store().stock(sale.id()));
    assertCounts(stock, 100, 0, 100, 0, 0);
    assertThat(stock.consistent()).isTrue();
  }

  @Test
  void per_buyer_limit_holds_under_concurrency() throws Exception {
    Sale sale = liveSale(100, 3, 60);
    List<Object> results = concurrently(50, i -> store().reserve(sale.id(), "greedy", 1, "k-" + i));
    assertThat(results.stream().filter(r -> r instanceof SaleStore.Outcome<?>).count()).isEqualTo(3);
    assertThat(results.stream().filter(r -> r == ErrorCode.LIMIT_EXCEEDED).count()).isEqualTo(47);
    assertThat(await(store().stock(sale.id())).held()).isEqualTo(3);
  }

  @Test
  void limit_counts_bought_units_too() {
    Sale sale = liveSale(10, 2, 60);
    Reservation r = await(store().reserve(sale.id(), "ann", 2, "a")).value();
    await(store().confirm(r.id()));
    assertThat(failureCode(store().reserve(sale.id(), "ann", 1, "b"))).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
    assertThat(await(store().reserve(sale.id(), "bob", 2, "a")).value().quantity()).isEqualTo(2);
  }

  @Test
  void idempotent_retries_return_the_same_reservation_and_never_a_second_hold() throws Exception {
    Sale sale = liveSale(10, 5, 60);
    List<Object> results = concurrently(20, i -> store().reserve(sale.id(), "ann", 2, "same-key"));
    Set<String> ids = new HashSet<>();
    for (Object r : results) {
      assertThat(r).isInstanceOf(SaleStore.Outcome.class);
      ids.add(((Reservation) ((SaleStore.Outcome<?>) r).value()).id());
    }
    assertThat(ids).hasSize(1);
    assertCounts(await(store().stock(sale.id())), 10, 8, 2, 0, 0);
    // The same key from another buyer is another reservation.
    assertThat(await(store().reserve(sale.id(), "bob", 2, "same-key")).value().id()).isNotIn(ids);
  }

  @Test
  void reservation_holds_until_now_plus_hold_time() {
    Sale sale = liveSale(5, 5, 120);
    Instant before = Instant.now().minusSeconds(2);
    SaleStore.Outcome<Reservation> out = await(store().reserve(sale.id(), "ann", 2, "k"));
    Reservation r = out.value();
    assertThat(r.state()).isEqualTo(Reservation.State.HELD);
    assertThat(r.saleId()).isEqualTo(sale.id());
    assertThat(Reservation.saleIdOf(r.id())).isEqualTo(sale.id());
    assertThat(r.expiresAt()).isBetween(before.plusSeconds(120), Instant.now().plusSeconds(122));
    assertCounts(out.stock(), 5, 3, 2, 0, 0);
    assertThat(await(store().reservation(r.id()))).isEqualTo(r);
  }

  @Test
  void window_is_enforced_not_started_ended_and_cancelled() {
    Instant now = Instant.now();
    Sale future = await(store().create(sale("brd_a", 5, 1, 60, now.plusSeconds(600), now.plusSeconds(1200))));
    Sale past = await(store().create(sale("brd_a", 5, 1, 60, now.minusSeconds(600), now.minusSeconds(1))));
    Sale live = liveSale(5, 1, 60);
    assertThat(failureCode(store().reserve(future.id(), "ann", 1, "k"))).isEqualTo(ErrorCode.NOT_STARTED);
    assertThat(failureCode(store().reserve(past.id(), "ann", 1, "k"))).isEqualTo(ErrorCode.ENDED);
    assertThat(await(store().cancel(live.id())).state()).isEqualTo(Sale.State.CANCELLED);
    assertThat(await(store().cancel(live.id())).state()).isEqualTo(Sale.State.CANCELLED);
    assertThat(failureCode(store().reserve(live.id(), "ann", 1, "k"))).isEqualTo(ErrorCode.ENDED);
    assertThat(failureCode(store().cancel(past.id()))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(failureCode(store().reserve("sal_0000000000000000", "ann", 1, "k"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void scheduled_sale_can_be_changed_until_it_starts() {
    Instant now = Instant.now();
    Sale future = await(store().create(sale("brd_a", 5, 1, 60, now.plusSeconds(600), now.plusSeconds(1200))));
    Sale bigger = new Sale(future.id(), future.brandId(), future.productId(), null, 990, "EUR", 50,
        future.startsAt(), future.endsAt(), 2, 30, Sale.State.SCHEDULED, future.createdAt(), future.updatedAt());
    await(store().updateBeforeStart(bigger));
    assertThat(await(store().get(future.id()))).isEqualTo(bigger);
    assertCounts(await(store().stock(future.id())), 50, 50, 0, 0, 0);
    Sale live = liveSale(5, 1, 60);
    assertThat(failureCode(store().updateBeforeStart(live))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(await(store().get("sal_0000000000000000"))).isNull();
  }

  @Test
  void confirm_turns_a_hold_into_one_order_and_is_idempotent() {
    Sale sale = liveSale(5, 5, 60);
    Reservation r = await(store().reserve(sale.id(), "ann", 2, "k")).value();
    SaleStore.Outcome<Order> first = await(store().confirm(r.id()));
    Order order = first.value();
    assertThat(order.quantity()).isEqualTo(2);
    assertThat(order.totalMinor()).isEqualTo(2 * 1990);
    assertThat(order.buyerId()).isEqualTo("ann");
    assertThat(order.reservationId()).isEqualTo(r.id());
    assertThat(order.showId()).isEqualTo("shw_x");
    assertCounts(first.stock(), 5, 3, 0, 2, 0);
    assertThat(await(store().confirm(r.id())).value()).isEqualTo(order);
    assertThat(await(store().orders(sale.id()))).containsExactly(order);
    assertThat(await(store().reservation(r.id())).state()).isEqualTo(Reservation.State.CONFIRMED);
    assertThat(failureCode(store().release(r.id()))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(failureCode(store().confirm("rsv_nonsense"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void every_stock_change_raises_the_stock_version_and_a_repeated_request_does_not() {
    Sale sale = liveSale(5, 5, 60);
    long created = await(store().stock(sale.id())).version();
    Reservation held = await(store().reserve(sale.id(), "ann", 2, "k")).value();
    long afterHold = await(store().stock(sale.id())).version();
    await(store().reserve(sale.id(), "ann", 2, "k")); // the same request again: the same hold
    assertThat(await(store().stock(sale.id())).version()).isEqualTo(afterHold);
    long afterConfirm = await(store().confirm(held.id())).stock().version();
    assertThat(await(store().confirm(held.id())).stock().version()).isEqualTo(afterConfirm);
    Reservation other = await(store().reserve(sale.id(), "bob", 1, "k")).value();
    long afterRelease = await(store().release(other.id())).stock().version();
    assertThat(List.of(created, afterHold, afterConfirm, afterRelease)).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void release_returns_stock_and_confirm_after_release_is_expired() {
    Sale sale = liveSale(5, 5, 60);
    Reservation r = await(store().reserve(sale.id(), "ann", 3, "k")).value();
    SaleStore.Outcome<Reservation> released = await(store().release(r.id()));
    assertThat(released.value().state()).isEqualTo(Reservation.State.RELEASED);
    assertCounts(released.stock(), 5, 5, 0, 0, 0);
    assertThat(await(store().release(r.id())).stock().available()).isEqualTo(5);
    assertThat(failureCode(store().confirm(r.id()))).isEqualTo(ErrorCode.EXPIRED);
    // The buyer's allowance came back with the stock.
    assertThat(await(store().reserve(sale.id(), "ann", 5, "k2")).value().quantity()).isEqualTo(5);
  }

  @Test
  void confirm_after_expiry_fails_expired() throws Exception {
    Sale sale = liveSale(5, 5, 1);
    Reservation r = await(store().reserve(sale.id(), "ann", 1, "k")).value();
    Thread.sleep(1200);
    assertThat(failureCode(store().confirm(r.id()))).isEqualTo(ErrorCode.EXPIRED);
    assertThat(failureCode(store().release(r.id()))).isEqualTo(ErrorCode.EXPIRED);
    await(store().sweep(sale.id(), 100));
    assertThat(failureCode(store().confirm(r.id()))).isEqualTo(ErrorCode.EXPIRED);
    assertThat(await(store().reservation(r.id())).state()).isEqualTo(Reservation.State.EXPIRED);
    assertThat(await(store().orders(sale.id()))).isEmpty();
  }

  @Test
  void expiry_returns_stock_exactly_once_with_two_sweepers_racing() throws Exception {
    Sale sale = liveSale(30, 20, 1);
    for (int i = 0; i < 10; i++) {
      await(store().reserve(sale.id(), "buyer-" + i, 2, "k"));
    }
    assertCounts(await(store().stock(sale.id())), 30, 10, 20, 0, 0);
    Thread.sleep(1200);
    // Reserved after the others lapsed: must survive the sweep.
    Reservation fresh = await(store().reserve(sale.id(), "late", 1, "k")).value();
    AtomicInteger expiredCount = new AtomicInteger();
    Set<String> expiredIds = ConcurrentHashMap.newKeySet();
    List<Object> results = concurrently(40, i -> store().sweep(sale.id(), 3).map(out -> {
      expiredCount.addAndGet(out.value().size());
      out.value().forEach(r -> expiredIds.add(r.id()));
      return out;
    }));
    assertThat(results).allMatch(r -> r instanceof SaleStore.Outcome<?>);
    assertThat(expiredCount.get()).isEqualTo(10);
    assertThat(expiredIds).hasSize(10);
    StockCounters stock = await(store().stock(sale.id()));
    assertCounts(stock, 30, 29, 1, 0, 20);
    assertThat(stock.consistent()).isTrue();
    assertThat(await(store().reservation(fresh.id())).state()).isEqualTo(Reservation.State.HELD);
    assertThat(await(store().sweep(sale.id(), 100)).value()).isEmpty();
  }

  @Test
  void waitlist_gets_returned_stock_in_order_as_holds_of_their_own() {
    Sale sale = liveSale(3, 3, 60);
    Reservation big = await(store().reserve(sale.id(), "ann", 3, "k")).value();
    assertThat(failureCode(store().reserve(sale.id(), "w1", 1, "k"))).isEqualTo(ErrorCode.SOLD_OUT);
    assertThat(await(store().joinWaitlist(sale.id(), "w1"))).isEqualTo(1);
    assertThat(await(store().joinWaitlist(sale.id(), "w2"))).isEqualTo(2);
    assertThat(await(store().joinWaitlist(sale.id(), "w1"))).isEqualTo(1);
    assertThat(await(store().joinWaitlist(sale.id(), "w3"))).isEqualTo(3);
    assertThat(await(store().joinWaitlist(sale.id(), "w4"))).isEqualTo(4);
    assertThat(failureCode(store().joinWaitlist(sale.id(), "ann"))).isEqualTo(ErrorCode.LIMIT_EXCEEDED);

    SaleStore.Outcome<Reservation> released = await(store().release(big.id()));
    List<Reservation> offers = released.offers();
    assertThat(offers).extracting(Reservation::buyerId).containsExactly("w1", "w2", "w3");
    assertThat(offers).allSatisfy(o -> {
      assertThat(o.quantity()).isEqualTo(1);
      assertThat(o.state()).isEqualTo(Reservation.State.HELD);
      assertThat(o.saleId()).isEqualTo(sale.id());
    });
    assertCounts(released.stock(), 3, 0, 3, 0, 0);
    assertThat(await(store().reservation(offers.get(0).id()))).isEqualTo(offers.get(0));

    // w1 declines: the next in line (w4) gets it.
    SaleStore.Outcome<Reservation> declined = await(store().release(offers.get(0).id()));
    assertThat(declined.offers()).extracting(Reservation::buyerId).containsExactly("w4");
    Order order = await(store().confirm(declined.offers().get(0).id())).value();
    assertThat(order.buyerId()).isEqualTo("w4");
    assertCounts(await(store().stock(sale.id())), 3, 0, 2, 1, 0);
  }

  @Test
  void waitlist_is_only_for_sold_out_sales() {
    Sale sale = liveSale(3, 1, 60);
    assertThat(failureCode(store().joinWaitlist(sale.id(), "w1"))).isEqualTo(ErrorCode.CONFLICT);
    Instant now = Instant.now();
    Sale future = await(store().create(sale("brd_a", 5, 1, 60, now.plusSeconds(600), now.plusSeconds(1200))));
    assertThat(failureCode(store().joinWaitlist(future.id(), "w1"))).isEqualTo(ErrorCode.NOT_STARTED);
    assertThat(failureCode(store().joinWaitlist("sal_0000000000000000", "w1"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void brand_listing_orders_and_event_claims() {
    String brand = Ids.newId("brd");
    Instant now = Instant.now();
    Sale a = await(store().create(sale(brand, 1, 1, 60, now, now.plusSeconds(60))));
    Sale b = await(store().create(sale(brand, 1, 1, 60, now, now.plusSeconds(60))));
    await(store().create(sale(Ids.newId("brd"), 1, 1, 60, now, now.plusSeconds(60))));
    assertThat(await(store().listByBrand(brand))).extracting(Sale::id).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(await(store().activeSaleIds())).contains(a.id(), b.id());
    await(store().retire(a.id()));
    assertThat(await(store().activeSaleIds())).doesNotContain(a.id()).contains(b.id());
    assertThat(await(store().claimEvent(a.id(), "sale.started"))).isTrue();
    assertThat(await(store().claimEvent(a.id(), "sale.started"))).isFalse();
    assertThat(await(store().claimEvent(a.id(), "sale.ended"))).isTrue();
    assertThat(failureCode(store().create(a))).isEqualTo(ErrorCode.CONFLICT);
  }

  /** Asserts the counters (allotted, available, held, sold, expired); the version is checked on its own. */
  static void assertCounts(StockCounters actual, long allotted, long available, long held, long sold, long expired) {
    assertThat(actual).as("stock").isNotNull();
    assertThat(List.of(actual.allotted(), actual.available(), actual.held(), actual.sold(), actual.expired()))
        .as("allotted, available, held, sold, expired").containsExactly(allotted, available, held, sold, expired);
  }
}
