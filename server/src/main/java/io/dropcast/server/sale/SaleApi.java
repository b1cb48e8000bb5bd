package io.dropcast.server.sale;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.Caller;
import io.dropcast.server.show.Show;
import io.dropcast.server.store.Stores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

import java.util.Map;

/**
 * Brand-scoped REST routes for flash sales, reservations (hand-off checkout) and orders; see
 * {@code docs/sales-api.md}. Every route needs a brand API key; another brand's ids answer
 * NOT_FOUND. Handlers only chain futures (never block).
 */
public final class SaleApi implements ApiModule {
  private final SaleService service;
  private final Stores stores;
  private final int minHoldSeconds;

  public SaleApi(SaleService service, Stores stores, int minHoldSeconds) {
    this.service = service;
    this.stores = stores;
    this.minHoldSeconds = minHoldSeconds;
  }

  @Override
  public void mount(Router api) {
    api.post("/sales").handler(ctx -> reply(ctx, 201, create(ctx)));
    api.get("/sales").handler(ctx -> reply(ctx, 200, list(ctx)));
    api.get("/sales/:id").handler(ctx -> reply(ctx, 200, sale(ctx).compose(service::view)));
    api.patch("/sales/:id").handler(ctx -> reply(ctx, 200, update(ctx)));
    api.post("/sales/:id/cancel").handler(ctx -> reply(ctx, 200,
        sale(ctx).compose(service::cancel).compose(service::view)));
    api.get("/sales/:id/audit").handler(ctx -> reply(ctx, 200, sale(ctx).compose(service::audit)));
    api.post("/sales/:id/reservations").handler(ctx -> reply(ctx, 201, reserve(ctx)));
    api.get("/reservations/:id").handler(ctx -> reply(ctx, 200,
        service.reservationOf(Caller.brand(ctx), ctx.pathParam("id")).map(SaleViews::reservation)));
    api.post("/reservations/:id/confirm").handler(ctx -> reply(ctx, 200, withReservation(ctx)
        .compose(rs -> service.confirm(rs.sale(), rs.reservation()))));
    api.post("/reservations/:id/release").handler(ctx -> reply(ctx, 200, withReservation(ctx)
        .compose(rs -> service.release(rs.sale(), rs.reservation())).map(SaleViews::reservation)));
    api.get("/orders").handler(ctx -> reply(ctx, 200,
        service.orders(Caller.brand(ctx), ctx.queryParams().get("show")).map(orders -> Map.of("orders", orders))));
  }

  private Future<Sale> sale(RoutingContext ctx) {
    return service.saleOf(Caller.brand(ctx), ctx.pathParam("id"));
  }

  private record Held(Sale sale, Reservation reservation) {}

  private Future<Held> withReservation(RoutingContext ctx) {
    String brand = Caller.brand(ctx);
    return service.reservationOf(brand, ctx.pathParam("id"))
        .compose(r -> service.saleOf(brand, r.saleId()).map(s -> new Held(s, r)));
  }

  private Future<?> list(RoutingContext ctx) {
    return service.store().listByBrand(Caller.brand(ctx))
        .compose(list -> Future.all(list.stream().map(service::view).toList()))
        .map(all -> Map.of("sales", all.list()));
  }

  private Future<?> create(RoutingContext ctx) {
    String brand = Caller.brand(ctx);
    SaleInput in = SaleInput.of(ctx.body().asString());
    Instant now = service.clock().instant();
    return build(brand, in, null, now).compose(service::create).compose(service::view);
  }

  private Future<?> update(RoutingContext ctx) {
    String brand = Caller.brand(ctx);
    SaleInput in = SaleInput.of(ctx.body().asString());
    Instant now = service.clock().instant();
    return sale(ctx).compose(existing -> {
      if (existing.state() == Sale.State.CANCELLED) {
        throw new ProtocolException(ErrorCode.CONFLICT, "sale " + existing.id() + " is cancelled");
      }
      if (!now.isBefore(existing.startsAt())) {
        throw new ProtocolException(ErrorCode.CONFLICT, "sale " + existing.id() + " has started; only a scheduled sale can be changed");
      }
      return build(brand, in, existing, now);
    }).compose(service::update).compose(service::view);
  }

  /** Validates a create (existing == null) or a partial update over {@code existing}. */
  private Future<Sale> build(String brand, SaleInput in, Sale existing, Instant now) {
    String productId = existing == null || in.has("productId") ? in.string("productId", 64) : existing.productId();
    String showId = in.has("showId") ? in.string("showId", 64) : existing == null ? null : existing.showId();
    long price = existing == null || in.has("priceMinor") ? in.integer("priceMinor", 0, 100_000_000_000L) : existing.priceMinor();
    int quantity = (int) (existing == null || in.has("quantity") ? in.integer("quantity", 1, SaleInput.MAX_QUANTITY)
        : existing.quantity());
    Instant startsAt = existing == null ? in.instant("startsAt") : in.optionalInstant("startsAt", existing.startsAt());
    Instant endsAt = existing == null ? in.instant("endsAt") : in.optionalInstant("endsAt", existing.endsAt());
    int limit = (int) in.optionalInteger("perBuyerLimit", 1, SaleInput.MAX_QUANTITY,
        existing == null ? 1 : existing.perBuyerLimit());
    int hold = (int) in.optionalInteger("holdSeconds", minHoldSeconds, SaleInput.MAX_HOLD_SECONDS,
        existing == null ? Math.max(minHoldSeconds, 300) : existing.holdSeconds());
    if (!endsAt.isAfter(startsAt)) {
      throw SaleInput.bad("field 'endsAt' must be after 'startsAt'");
    }
    if (!endsAt.isAfter(now)) {
      throw SaleInput.bad("field 'endsAt' must be in the future");
    }
    if (existing != null && in.has("startsAt") && !startsAt.isAfter(now)) {
      throw SaleInput.bad("field 'startsAt' must be in the future when changing a scheduled sale");
    }
    Future<Product> product = stores.products().get(productId).map(p -> {
      if (p == null || !p.brandId().equals(brand)) {
        throw SaleInput.bad("field 'productId' must name one of your products");
      }
      return p;
    });
    Future<Show> show = showId == null ? Future.succeededFuture() : stores.shows().get(showId).map(s -> {
      if (s == null || !s.brandId().equals(brand)) {
        throw SaleInput.bad("field 'showId' must name one of your shows");
      }
      return s;
    });
    return Future.all(product, show).map(v -> {
      Product p = product.result();
      String currency = in.currency("currency", existing == null ? p.currency() : existing.currency());
      return new Sale(existing == null ? Ids.newId("sal") : existing.id(), brand, productId, showId, price, currency,
          quantity, startsAt, endsAt, limit, hold, Sale.State.SCHEDULED, existing == null ? now : existing.createdAt(), now);
    });
  }

  private Future<?> reserve(RoutingContext ctx) {
    String key = SaleInput.idempotencyKey(ctx.request().getHeader("Idempotency-Key"), "header 'Idempotency-Key'");
    SaleInput in = SaleInput.of(ctx.body().asString());
    String buyer = in.string("buyerId", 128);
    int quantity = (int) in.optionalInteger("quantity", 1, SaleInput.MAX_QUANTITY, 1);
    return sale(ctx).compose(s -> service.reserve(s, buyer, quantity, key)).map(SaleViews::reservation);
  }

  private static void reply(RoutingContext ctx, int status, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (!ctx.response().ended()) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
            .end(JsonCodec.encodeToString(ar.result()));
      }
    });
  }

}
