package io.dropcast.server.store;

import static io.dropcast.server.testing.Await.await;
import static io.dropcast.server.testing.Await.failureCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.chat.ChatMessage;
import io.dropcast.server.show.Show;
import io.dropcast.server.util.Ids;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link Stores} contract (entity stores and chat history), run against every {@link Stores} implementation (memory and
 * Redis) by subclasses. Calls the store API directly: this is the store's own contract.
 */
public abstract class StoresContract {

  /** @return the stores under test (fresh or shared; tests use fresh ids) */
  protected abstract Stores stores();

  private static Product product(String brand, String sku) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Product(Ids.newId("prd"), brand, sku, "Tent " + sku, "light", null, 24900, "EUR", now, now);
  }

  @Test
  void created_entity_is_found_by_id_and_by_unique_key() {
    String brand = Ids.newId("brd");
    Product p = await(stores().products().create(product(brand, "TENT-1")));
    assertThat(await(stores().products().get(p.id()))).isEqualTo(p);
    assertThat(await(stores().products().findByUniqueKey(brand + "\u0000TENT-1"))).isEqualTo(p);
    assertThat(await(stores().products().get("prd_missing"))).isNull();
    assertThat(await(stores().products().findByUniqueKey(brand + "\u0000NOPE"))).isNull();
  }

  @Test
  void duplicate_id_or_unique_key_is_a_conflict_and_changes_nothing() {
    String brand = Ids.newId("brd");
    Product p = await(stores().products().create(product(brand, "SKU-A")));
    assertThat(failureCode(stores().products().create(p))).isEqualTo(ErrorCode.CONFLICT);
    Product sameSku = product(brand, "SKU-A");
    assertThat(failureCode(stores().products().create(sameSku))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(await(stores().products().get(sameSku.id()))).isNull();
    assertThat(await(stores().products().listByBrand(brand))).containsExactly(p);
    // The same SKU in another brand is fine.
    assertThat(await(stores().products().create(product(Ids.newId("brd"), "SKU-A")))).isNotNull();
  }

  @Test
  void list_by_brand_returns_only_that_brand_oldest_first() {
    String a = Ids.newId("brd");
    String b = Ids.newId("brd");
    Product a1 = await(stores().products().create(product(a, "A1")));
    Product b1 = await(stores().products().create(product(b, "B1")));
    Product a2 = await(stores().products().create(product(a, "A2")));
    assertThat(await(stores().products().listByBrand(a))).containsExactly(a1, a2);
    assertThat(await(stores().products().listByBrand(b))).containsExactly(b1);
    assertThat(await(stores().products().listByBrand(Ids.newId("brd")))).isEmpty();
  }

  @Test
  void list_all_returns_every_brand_oldest_first_and_forgets_deleted_ones() {
    Product a1 = await(stores().products().create(product(Ids.newId("brd"), "ALL-1")));
    Product b1 = await(stores().products().create(product(Ids.newId("brd"), "ALL-2")));
    Product a2 = await(stores().products().create(product(Ids.newId("brd"), "ALL-3")));
    await(stores().products().delete(b1.id()));
    assertThat(await(stores().products().listAll())).containsSubsequence(a1, a2).doesNotContain(b1);
  }

  @Test
  void update_replaces_and_moves_the_unique_key() {
    String brand = Ids.newId("brd");
    Product p = await(stores().products().create(product(brand, "OLD")));
    Product other = await(stores().products().create(product(brand, "TAKEN")));
    Product renamed = new Product(p.id(), brand, "NEW", "Renamed", "", null, 100, "EUR", p.createdAt(), p.updatedAt());
    assertThat(await(stores().products().update(renamed))).isEqualTo(renamed);
    assertThat(await(stores().products().get(p.id()))).isEqualTo(renamed);
    assertThat(await(stores().products().findByUniqueKey(brand + "\u0000OLD"))).isNull();
    assertThat(await(stores().products().findByUniqueKey(brand + "\u0000NEW"))).isEqualTo(renamed);
    assertThat(await(stores().products().listByBrand(brand))).containsExactly(renamed, other);

    Product clash = new Product(p.id(), brand, "TAKEN", "x", "", null, 1, "EUR", p.createdAt(), p.updatedAt());
    assertThat(failureCode(stores().products().update(clash))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(await(stores().products().get(p.id()))).isEqualTo(renamed);
    assertThat(failureCode(stores().products().update(product(brand, "GHOST")))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void delete_removes_entity_index_and_unique_key() {
    String brand = Ids.newId("brd");
    Product p = await(stores().products().create(product(brand, "GONE")));
    assertThat(await(stores().products().delete(p.id()))).isTrue();
    assertThat(await(stores().products().delete(p.id()))).isFalse();
    assertThat(await(stores().products().get(p.id()))).isNull();
    assertThat(await(stores().products().listByBrand(brand))).isEmpty();
    assertThat(await(stores().products().create(product(brand, "GONE")))).isNotNull();
  }

  @Test
  void shows_round_trip_with_lists_and_states() {
    String brand = Ids.newId("brd");
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Show show = new Show(Ids.newId("shw"), brand, "Drop", now, "host-1", List.of("prd_a", "prd_b"), true, false,
        Show.State.SCHEDULED, null, null, now, now);
    await(stores().shows().create(show));
    Show live = show.withState(Show.State.LIVE, now.plusSeconds(5));
    await(stores().shows().update(live));
    assertThat(await(stores().shows().get(show.id()))).isEqualTo(live);
  }

  @Test
  void ping_answers() {
    await(stores().ping());
  }

  private static ChatMessage chat(String text) {
    return new ChatMessage(Ids.newId("msg"), "u-1", "Ana", "viewer", text, System.currentTimeMillis());
  }

  @Test
  void chat_history_keeps_the_newest_messages_oldest_first() {
    String show = Ids.newId("shw");
    ChatMessage m1 = chat("one");
    ChatMessage m2 = chat("two");
    ChatMessage m3 = chat("three");
    await(stores().chatHistory().append(show, m1, 2));
    await(stores().chatHistory().append(show, m2, 2));
    await(stores().chatHistory().append(show, m3, 2));
    assertThat(await(stores().chatHistory().recent(show, 10))).containsExactly(m2, m3);
    assertThat(await(stores().chatHistory().recent(show, 1))).containsExactly(m3);
    assertThat(await(stores().chatHistory().recent(Ids.newId("shw"), 10))).isEmpty();
  }

  @Test
  void deleting_a_chat_message_removes_only_that_one() {
    String show = Ids.newId("shw");
    ChatMessage keep = chat("keep me");
    ChatMessage gone = chat("delete me");
    await(stores().chatHistory().append(show, keep, 10));
    await(stores().chatHistory().append(show, gone, 10));
    assertThat(await(stores().chatHistory().delete(show, gone.id()))).isTrue();
    assertThat(await(stores().chatHistory().delete(show, gone.id()))).isFalse();
    assertThat(await(stores().chatHistory().recent(show, 10))).containsExactly(keep);
  }
}
