package io.dropcast.server.sale;

import static io.dropcast.server.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.message.Events;
import io.dropcast.server.live.ShowEvents;
import io.dropcast.server.util.Ids;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a show's viewers are told about its sales. The live-show fan-out is another package's
 * (not merged on this branch), so this records what the sale service hands to {@link ShowEvents}.
 */
class SaleEventsTest {
  record Published(String show, String key, String event, Object data) {}

  final List<Published> published = new CopyOnWriteArrayList<>();
  final ShowEvents recorder = new ShowEvents() {
    @Override
    public void publish(String showId, String event, Object data) {
      published.add(new Published(showId, null, event, data));
    }

    @Override
    public void publishCoalesced(String showId, String key, String event, Object data) {
      published.add(new Published(showId, key, event, data));
    }
  };
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  List<String> names() {
    return published.stream().map(Published::event).toList();
  }

  @Test
  void viewers_hear_scheduled_started_stock_sold_out_and_ended_exactly_once() throws Exception {
    SaleService service = new SaleService(vertx, new MemorySaleStore(Clock.systemUTC()), recorder, Clock.systemUTC(), 100);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Sale sale = await(service.create(new Sale(Ids.newId("sal"), "brd_a", "prd_a", "shw_1", 500, "EUR", 2,
        now.plusMillis(300), now.plusMillis(1500), 2, 60, Sale.State.SCHEDULED, now, now)));
    assertThat(names()).containsExactly(Events.SALE_SCHEDULED);
    Thread.sleep(400);
    await(service.tick());
    await(service.tick());
    assertThat(names()).containsExactly(Events.SALE_SCHEDULED, Events.SALE_STARTED);

    await(service.reserve(sale, "ann", 1, "k1"));
    await(service.reserve(sale, "bob", 1, "k1"));
    await(service.reserve(sale, "bob", 1, "k1")); // idempotent replay: no second sold-out
    Thread.sleep(50);
    List<Published> stock = published.stream().filter(p -> p.event().equals(Events.SALE_STOCK)).toList();
    assertThat(stock).isNotEmpty().allSatisfy(p -> {
      assertThat(p.show()).isEqualTo("shw_1");
      assertThat(p.key()).isEqualTo(Events.SALE_STOCK + ":" + sale.id());
    });
    @SuppressWarnings("unchecked")
    Map<String, Object> last = (Map<String, Object>) stock.get(stock.size() - 1).data();
    assertThat(last).containsEntry("remaining", 0L).containsEntry("sale", sale.id());
    assertThat(names().stream().filter(Events.SALE_SOLD_OUT::equals).count()).isEqualTo(1);

    Thread.sleep(1200);
    await(service.tick());
    await(service.tick());
    Thread.sleep(50);
    assertThat(names().stream().filter(Events.SALE_ENDED::equals).count()).isEqualTo(1);
  }
}
