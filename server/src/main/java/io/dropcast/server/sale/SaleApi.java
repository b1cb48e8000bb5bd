package io.dropcast.server.sale;

import static io.dropcast.server.http.ApiResponses.respond;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.Caller;
import io.dropcast.server.http.JsonBody;
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
  private static final long MAX_PRICE_MINOR = 100_000_000_000L;
  private static final int MAX_ID = 64;
  private static final String[] FIELDS = {"productId", "showId", "priceMinor", "currency", "quantity", "startsAt",
      "endsAt", "perBuyerLimit", "holdSeconds"};

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
    api.post("/sales").handler(respond(201, this::create));
    api.get("/sales").handler(respond(200, this::list));
    api.get("/sales/:id").handler(respond(200, ctx -> sale(ctx).compose(service::view)));
    api.patch("/sales/:id").handler(respond(200, this::update));
    api.post("/sales/:id/cancel").handler(respond(200, ctx -> sale(ctx).compose(service::cancel).compose(service::view)));
    api.get("/sales/:id/audit").handler(respond(200, ctx -> sale(ctx).compose(service::audit)));
    api.post("/sales/:id/reservations").handler(respond(201, this::reserve));
    api.get("/reservations/:id").handler(respond(200, ctx ->
        service.reservationOf(Caller.brand(ctx), ctx.pathParam("id")).map(SaleViews::reservation)));
    api.post("/reservations/:id/confirm").handler(respond(200, ctx -> withReservation(ctx)
        .compose(rs -> service.confirm(rs.sale(), rs.reservation()))));
    api.post("/reservations/:id/release").handler(respond(200, ctx -> withReservation(ctx)
        .compose(rs -> service.release(rs.sale(), rs.reservation())).map(SaleViews::reservation)));
    api.get("/orders").handler(respond(200, ctx ->
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
    JsonBody in = JsonBody.of(ctx, FIELDS);
    Instant now = service.clock().instant();
    return build(brand, in, null, now).compose(service::create).compose(service::view);
  }

  private Future<?> update(RoutingContext ctx) {
    String brand = Caller.brand(ctx);
    JsonBody in = JsonBody.of(ctx, FIELDS);
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

  /**
   * Validates a create ({@code existing} == null: absent fields are required or take their default) or
   * a partial update over {@code existing}; every field is read before the product and show lookups.
   */
  private Future<Sale> build(String brand, JsonBody in, Sale existing, Instant now) {
    boolean create = existing == null;
    String productId = in.id("productId", MAX_ID, create ? null : existing.productId());
    String showId = in.optionalId("showId", MAX_ID, create ? null : existing.showId());
    long price = in.integer("priceMinor", 0, MAX_PRICE_MINOR, create ? null : existing.priceMinor());
    int quantity = (int) in.integer("quantity", 1, Sale.MAX_QUANTITY, create ? null : (long) existing.quantity());
    Instant startsAt = in.instant("startsAt", create ? null : existing.startsAt());
    Instant endsAt = in.instant("endsAt", create ? null : existing.endsAt());
    int limit = (int) in.integer("perBuyerLimit", 1, Sale.MAX_QUANTITY, create ? 1L : existing.perBuyerLimit());
    int hold = (int) in.integer("holdSeconds", minHoldSeconds, Sale.MAX_HOLD_SECONDS,
        create ? Math.max(minHoldSeconds, 300) : (long) existing.holdSeconds());
    String currency = in.has("currency") ? in.currency("currency", null) : create ? null : existing.currency();
    if (!endsAt.isAfter(startsAt)) {
      throw JsonBody.bad("field 'endsAt' must be after 'startsAt'");
    }
    if (!endsAt.isAfter(now)) {
      throw JsonBody.bad("field 'endsAt' must be in the future");
    }
    if (!create && in.has("startsAt") && !startsAt.isAfter(now)) {
      throw JsonBody.bad("field 'startsAt' must be in the future when changing a scheduled sale");
    }
    Future<Product> product = stores.products().get(productId).map(p -> {
      if (p == null || !p.brandId().equals(brand)) {
        throw JsonBody.bad("field 'productId' must name one of your products");
      }
      return p;
    });
    Future<Show> show = showId == null ? Future.succeededFuture() : stores.shows().get(showId).map(s -> {
      if (s == null || !s.brandId().equals(brand)) {
        throw JsonBody.bad("field 'showId' must name one of your shows");
      }
      return s;
    });
    return Future.all(product, show).map(v -> new Sale(create ? Ids.newId("sal") : existing.id(), brand, productId,
        showId, price, currency != null ? currency : product.result().currency(), quantity, startsAt, endsAt, limit,
        hold, Sale.State.SCHEDULED, create ? now : existing.createdAt(), now));
  }

  private Future<?> reserve(RoutingContext ctx) {
    String key = idempotencyKey(ctx.request().getHeader("Idempotency-Key"));
    JsonBody in = JsonBody.of(ctx, "buyerId", "quantity");
    String buyer = in.id("buyerId", Sale.MAX_BUYER_ID, null);
    int quantity = (int) in.integer("quantity", 1, Sale.MAX_QUANTITY, 1L);
    return service.admitReserve(() -> sale(ctx).compose(s -> service.reserve(s, buyer, quantity, key)))
        .map(SaleViews::reservation);
  }

  /** @return the {@code Idempotency-Key} header; BAD_REQUEST unless it is 1–100 visible ASCII characters */
  private static String idempotencyKey(String header) {
    if (header == null || !Reservation.IDEMPOTENCY_KEY.matcher(header).matches()) {
      throw JsonBody.bad("header 'Idempotency-Key' is required: " + Reservation.IDEMPOTENCY_KEY_RULE);
    }
    return header;
  }
}
