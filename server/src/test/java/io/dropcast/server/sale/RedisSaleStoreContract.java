package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.await;
import static io.dropcast.server.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.server.store.redis.RedisConnector;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the Redis sale store promises beyond {@link SaleStoreContract}: every confirmed order lands in
 * the {@code dc:orders} stream exactly once, even when the append step is lost (node died after the
 * confirm script) or retried. Run on a standalone Redis and on a Redis Cluster, where the stream and
 * the sale live in different hash slots. A node that checked a buyer against a definition another node
 * changed since never reserves in the old one.
 */
public abstract class RedisSaleStoreContract extends SaleStoreContract {

  /** @return the connector the store under test uses, to look at the stream as a consumer would */
  protected abstract RedisConnector connector();

  private List<StreamMessage<String, String>> streamEntriesOf(String orderId) {
    List<StreamMessage<String, String>> all = await(connector().call(c -> c.xrange(RedisSaleStore.ORDER_STREAM, Range.create("-", "+"))));
    return all.stream().filter(m -> orderId.equals(m.getBody().get("order"))).toList();
  }

  @Test
  void a_confirmed_order_is_appended_to_the_order_stream_once_however_often_it_is_confirmed() {
    Sale sale = liveSale(5, 2, 60);
    Reservation r = await(store().reserve(sale.id(), "ann", 2, "k1")).value();
    Order order = await(store().confirm(r.id())).value();
    await(store().confirm(r.id()));
    await(store().sweep(sale.id(), 100));

    List<StreamMessage<String, String>> entries = eventually(() -> streamEntriesOf(order.id()), e -> !e.isEmpty());
    assertThat(entries).hasSize(1);
    Map<String, String> body = entries.get(0).getBody();
    assertThat(body).containsEntry("brand", sale.brandId()).containsEntry("sale", sale.id());
    assertThat(body.get("json")).contains(order.id()).contains("\"quantity\":2");
    eventually(() -> await(connector().<Long>call(c -> c.scard("dc:{sale:" + sale.id() + "}:outbox"))), n -> n == 0);
    assertThat(streamEntriesOf(order.id())).hasSize(1);
  }

  @Test
  void an_order_whose_append_was_lost_is_appended_by_the_next_sweep_and_a_repeated_append_is_dropped() {
    Sale sale = liveSale(5, 1, 60);
    Order lost = await(store().confirm(await(store().reserve(sale.id(), "bob", 1, "k")).value().id())).value();
    Order twice = await(store().confirm(await(store().reserve(sale.id(), "cid", 1, "k")).value().id())).value();
    eventually(() -> streamEntriesOf(twice.id()), e -> e.size() == 1);
    // As if the node died right after the confirm script: the order is only in the sale's outbox.
    String entryId = eventually(() -> streamEntriesOf(lost.id()), e -> e.size() == 1).get(0).getId();
    await(connector().call(c -> c.xdel(RedisSaleStore.ORDER_STREAM, entryId)));
    await(connector().call(c -> c.hdel(RedisSaleStore.ORDER_STREAM_APPENDED, lost.id())));
    await(connector().call(c -> c.sadd("dc:{sale:" + sale.id() + "}:outbox", lost.id())));
    // As if the node died after the append but before the outbox was cleared: appended again later.
    await(connector().call(c -> c.sadd("dc:{sale:" + sale.id() + "}:outbox", twice.id())));

    await(store().sweep(sale.id(), 100));

    assertThat(eventually(() -> streamEntriesOf(lost.id()), e -> e.size() == 1)).hasSize(1);
    eventually(() -> await(connector().<Long>call(c -> c.scard("dc:{sale:" + sale.id() + "}:outbox"))), n -> n == 0);
    assertThat(streamEntriesOf(twice.id())).hasSize(1);
    assertThat(streamEntriesOf(lost.id())).hasSize(1);
  }

  @Test
  void a_finished_sale_is_retired_only_with_every_order_in_the_stream() {
    Sale sale = liveSale(3, 1, 60);
    Order order = await(store().confirm(await(store().reserve(sale.id(), "dee", 1, "k")).value().id())).value();
    eventually(() -> streamEntriesOf(order.id()), e -> e.size() == 1);
    await(connector().call(c -> c.xdel(RedisSaleStore.ORDER_STREAM, streamEntriesOf(order.id()).get(0).getId())));
    await(connector().call(c -> c.hdel(RedisSaleStore.ORDER_STREAM_APPENDED, order.id())));
    await(connector().call(c -> c.sadd("dc:{sale:" + sale.id() + "}:outbox", order.id())));

    await(store().retire(sale.id()));

    assertThat(streamEntriesOf(order.id())).hasSize(1);
    assertThat(await(store().activeSaleIds())).doesNotContain(sale.id());
    assertThat(await(connector().<Long>call(c -> c.scard("dc:{sale:" + sale.id() + "}:outbox")))).isZero();
  }

  @Test
  void a_node_that_checked_a_buyer_against_an_edited_sale_reserves_nothing_and_learns_the_new_definition()
      throws Exception {
    SaleStore nodeA = store();
    SaleStore nodeB = new RedisSaleStore(connector(), Clock.systemUTC());
    Instant now = Instant.now();
    Sale scheduled = await(nodeA.create(sale("brd_edit", 5, 2, 60, now.plusMillis(1500), now.plusSeconds(600))));
    Sale seenByA = await(nodeA.getRecent(scheduled.id()));
    assertThat(seenByA).isEqualTo(scheduled);

    // Node B edits the sale before it opens; node A's copy is now out of date.
    Sale edited = new Sale(scheduled.id(), scheduled.brandId(), scheduled.productId(), "shw_other", 990,
        scheduled.currency(), scheduled.quantity(), scheduled.startsAt(), scheduled.endsAt(), scheduled.perBuyerLimit(),
        scheduled.holdSeconds(), Sale.State.SCHEDULED, scheduled.createdAt(), Instant.now());
    await(nodeB.updateBeforeStart(edited));
    assertThat(await(nodeA.getRecent(scheduled.id()))).as("A answers from its last read").isEqualTo(scheduled);
    Thread.sleep(Math.max(0, java.time.Duration.between(Instant.now(), scheduled.startsAt()).toMillis() + 100));

    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> await(nodeA.reserve(seenByA, "ann", 1, "k")));
    assertThat(refused).isInstanceOf(SaleStore.DefinitionChanged.class);
    assertThat(((SaleStore.DefinitionChanged) refused).current()).isEqualTo(edited);
    assertThat(await(nodeA.stock(scheduled.id())).available()).as("nothing held").isEqualTo(5);
    assertThat(await(nodeA.getRecent(scheduled.id()))).as("A learnt the edit").isEqualTo(edited);

    Reservation held = await(nodeA.reserve(edited, "ann", 1, "k")).value();
    assertThat(held.buyerId()).isEqualTo("ann");
    assertThat(await(nodeA.stock(scheduled.id())).available()).isEqualTo(4);
  }
}
