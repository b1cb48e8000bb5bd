package io.dropcast.server.testing;

import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.Stores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Seeds a brand with products and shows for live-show tests, and mints the tokens to act in them.
 *
 * <p>The ONE place where tests seed data directly through {@code node.server().stores()} (the REST
 * routes for brands, products and shows are written elsewhere); switch these methods to REST calls
 * once those routes exist. Everything a test does afterwards goes over real sockets.
 */
public final class ShowFixture {
  private final TestNode node;
  private final Brand brand;
  private final List<Product> products;
  private final Product outsideLineup;
  private final String apiKey;

  private ShowFixture(TestNode node, Brand brand, List<Product> products, Product outsideLineup, String apiKey) {
    this.node = node;
    this.apiKey = apiKey;
    this.brand = brand;
    this.products = products;
    this.outsideLineup = outsideLineup;
  }

  /** Creates a brand with an API key, four lineup products and one product outside any lineup. */
  public static ShowFixture brand(TestNode node, String name) {
    Stores stores = node.server().stores();
    Instant now = Instant.now();
    Brand brand = new Brand(Ids.newId("brd"), name, now);
    await(stores.brands().create(brand));
    String apiKey = await(ApiKeys.issue(stores, brand.id())).secret();
    List<Product> products = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      products.add(await(stores.products().create(product(brand, "SKU-" + i, "Product " + i, 1000L * i, now))));
    }
    Product outside = await(stores.products().create(product(brand, "SKU-X", "Not in the show", 999, now)));
    return new ShowFixture(node, brand, List.copyOf(products), outside, apiKey);
  }

  private static Product product(Brand brand, String sku, String title, long price, Instant now) {
    return new Product(Ids.newId("prd"), brand.id(), sku, title, "", "https://img.example/" + sku + ".jpg",
        price, "EUR", now, now);
  }

  /** Creates a scheduled show whose lineup is the four products; its host is {@code host-1}. */
  public Show show(boolean guestsAllowed) {
    Instant now = Instant.now();
    Show show = new Show(Ids.newId("shw"), brand.id(), "Show " + Ids.random(4), now.plusSeconds(60), "host-1",
        products.stream().map(Product::id).toList(), true, guestsAllowed, Show.State.SCHEDULED, null, null, now, now);
    return await(node.server().stores().shows().create(show));
  }

  /** @return the show as stored now */
  public Show stored(String showId) {
    return await(node.server().stores().shows().get(showId));
  }

  /** @return the brand's REST API key ({@code dck_…}) */
  public String apiKey() {
    return apiKey;
  }

  public Brand brandRecord() {
    return brand;
  }

  public List<Product> products() {
    return products;
  }

  public Product outsideLineup() {
    return outsideLineup;
  }

  public String hostToken(Show show) {
    return token("host-1", "Host", Role.HOST, show.id());
  }

  public String moderatorToken(Show show, String userId) {
    return token(userId, "Mod " + userId, Role.MODERATOR, show.id());
  }

  /** A viewer token limited to one show. */
  public String viewerToken(Show show, String userId) {
    return token(userId, "Viewer " + userId, Role.VIEWER, show.id());
  }

  /** A viewer token valid for all of this brand's shows. */
  public String brandViewerToken(String userId) {
    return token(userId, "Viewer " + userId, Role.VIEWER, null);
  }

  private String token(String userId, String name, Role role, String showId) {
    return node.server().tokens().mint(new Identity(userId, name, role, brand.id(), showId, null), Duration.ofHours(1));
  }

  /** Connects with a token and joins the show. */
  public DropcastClient joined(String token, Show show) {
    DropcastClient client = node.connect(token);
    client.join(show.id());
    return client;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("seeding failed: " + e, e);
    }
  }
}
