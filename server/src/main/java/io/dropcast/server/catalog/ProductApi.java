package io.dropcast.server.catalog;

import static io.dropcast.server.http.ApiResponses.items;
import static io.dropcast.server.http.ApiResponses.respond;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.Caller;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.Stores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A brand's catalog over REST (brand API key): {@code POST/GET /products}, {@code GET/PATCH/DELETE
 * /products/{id}}.
 *
 * <p>Rules: SKU unique per brand (CONFLICT); another brand's product answers NOT_FOUND, exactly like a
 * missing one; a product in any show's lineup cannot be deleted (CONFLICT). A body is fully validated
 * before anything is written.
 *
 * <p>Handlers run on the HTTP event loop and only chain store futures. The lineup check before a
 * delete and the read-modify-write of PATCH are not atomic against a concurrent writer on another
 * node (the store has no compare-and-set); with the in-memory store they run uninterrupted.
 */
public final class ProductApi implements ApiModule {
  public static final int MAX_SKU = 64;
  public static final int MAX_TITLE = 200;
  public static final int MAX_DESCRIPTION = 5000;
  public static final int MAX_IMAGE_URL = 2048;
  public static final long MAX_PRICE_MINOR = 1_000_000_000_000L;

  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]+");
  private static final String[] FIELDS = {"sku", "title", "description", "imageUrl", "priceMinor", "currency"};

  private final Stores stores;
  private final Clock clock;

  public ProductApi(DropcastServer server) {
    this.stores = server.stores();
    this.clock = server.clock();
  }

  @Override
  public void mount(Router api) {
    api.post("/products").handler(respond(201, this::create));
    api.get("/products").handler(respond(200, ctx ->
        stores.products().listByBrand(Caller.brand(ctx)).map(list -> items(list))));
    api.get("/products/:id").handler(respond(200, ctx -> find(Caller.brand(ctx), ctx.pathParam("id"))));
    api.patch("/products/:id").handler(respond(200, this::update));
    api.delete("/products/:id").handler(respond(204, this::delete));
  }

  /**
   * @return the brand's product with this id; NOT_FOUND when missing or owned by another brand
   */
  public static Future<Product> findOwned(Stores stores, String brandId, String id) {
    return stores.products().get(id).compose(p -> p == null || !p.brandId().equals(brandId)
        ? Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no product " + id))
        : Future.succeededFuture(p));
  }

  private Future<Product> find(String brandId, String id) {
    return findOwned(stores, brandId, id);
  }

  private Future<Product> create(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    JsonBody body = JsonBody.of(ctx, FIELDS);
    Instant now = clock.instant();
    Product product = read(body, new Product(Ids.newId("prd"), brandId, null, null, "", null, -1, null, now, now));
    return stores.products().create(product);
  }

  private Future<Product> update(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    JsonBody body = JsonBody.of(ctx, FIELDS);
    return find(brandId, ctx.pathParam("id")).compose(existing -> {
      Product changed = read(body, existing);
      return stores.products().update(new Product(changed.id(), changed.brandId(), changed.sku(), changed.title(),
          changed.description(), changed.imageUrl(), changed.priceMinor(), changed.currency(), existing.createdAt(),
          clock.instant()));
    });
  }

  private Future<Void> delete(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    return find(brandId, ctx.pathParam("id"))
        .compose(product -> stores.shows().listByBrand(brandId).compose(shows -> {
          for (Show show : shows) {
            if (show.lineup().contains(product.id())) {
              return Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT, "product " + product.id()
                  + " is in the lineup of show " + show.id() + "; remove it from that lineup (or delete the show) first"));
            }
          }
          return stores.products().delete(product.id()).mapEmpty();
        }));
  }

  /** Reads every field, falling back to {@code base}'s values for absent ones (null/-1 = required). */
  private static Product read(JsonBody body, Product base) {
    String sku = body.text("sku", 1, MAX_SKU, SKU, "may contain only letters, digits, '.', '_' and '-'", base.sku());
    String title = body.line("title", 1, MAX_TITLE, base.title());
    String description = body.text("description", 0, MAX_DESCRIPTION, base.description());
    String imageUrl = body.optionalUrl("imageUrl", MAX_IMAGE_URL, base.imageUrl());
    long price = body.integer("priceMinor", 0, MAX_PRICE_MINOR, base.priceMinor() < 0 ? null : base.priceMinor());
    String currency = body.currency("currency", base.currency());
    return new Product(base.id(), base.brandId(), sku, title, description, imageUrl, price, currency,
        base.createdAt(), base.updatedAt());
  }
}
