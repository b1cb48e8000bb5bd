package io.dropcast.server.brand;

import static io.dropcast.server.http.ApiResponses.items;
import static io.dropcast.server.http.ApiResponses.respond;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.Caller;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.store.Stores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;

/**
 * Admin REST API (admin key only): create and list brands, issue, list and revoke their API keys.
 *
 * <ul>
 *   <li>{@code POST /brands {"name"}} → 201 brand; {@code GET /brands}; {@code GET /brands/{id}}</li>
 *   <li>{@code POST /brands/{id}/keys} → 201 with the secret (shown only here, never again);
 *       {@code GET /brands/{id}/keys} (no secrets); {@code DELETE /brands/{id}/keys/{keyId}} → 204,
 *       after which the key gets UNAUTHORIZED.</li>
 * </ul>
 *
 * <p>Handlers run on the HTTP event loop and only chain store futures.
 */
public final class BrandApi implements ApiModule {
  /** Longest brand name. */
  public static final int MAX_NAME = 100;

  private final Stores stores;
  private final Clock clock;

  public BrandApi(DropcastServer server) {
    this.stores = server.stores();
    this.clock = server.clock();
  }

  /** A key as listed: never the secret. */
  public record KeyView(String id, String brandId, String prefix, Instant createdAt) {
    static KeyView of(ApiKey key) {
      return new KeyView(key.id(), key.brandId(), key.prefix(), key.createdAt());
    }
  }

  /** A freshly issued key, with its secret (the only time it is shown). */
  public record IssuedKey(String id, String brandId, String key, String prefix, Instant createdAt) {}

  @Override
  public void mount(Router api) {
    api.post("/brands").handler(respond(201, this::createBrand));
    api.get("/brands").handler(respond(200, ctx -> {
      Caller.requireAdmin(ctx);
      return stores.brands().listAll().map(list -> items(list));
    }));
    api.get("/brands/:id").handler(respond(200, ctx -> {
      Caller.requireAdmin(ctx);
      return brand(ctx.pathParam("id"));
    }));
    api.post("/brands/:id/keys").handler(respond(201, ctx -> {
      Caller.requireAdmin(ctx);
      return brand(ctx.pathParam("id"))
          .compose(brand -> ApiKeys.issue(stores, brand.id()))
          .map(issued -> new IssuedKey(issued.key().id(), issued.key().brandId(), issued.secret(),
              issued.key().prefix(), issued.key().createdAt()));
    }));
    api.get("/brands/:id/keys").handler(respond(200, ctx -> {
      Caller.requireAdmin(ctx);
      return brand(ctx.pathParam("id"))
          .compose(brand -> stores.apiKeys().listByBrand(brand.id()))
          .map(keys -> items(keys.stream().map(KeyView::of).toList()));
    }));
    api.delete("/brands/:id/keys/:keyId").handler(respond(204, ctx -> {
      Caller.requireAdmin(ctx);
      String keyId = ctx.pathParam("keyId");
      return brand(ctx.pathParam("id"))
          .compose(brand -> stores.apiKeys().get(keyId).compose(key -> {
            if (key == null || !key.brandId().equals(brand.id())) {
              return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND,
                  "brand " + brand.id() + " has no API key " + keyId));
            }
            return stores.apiKeys().delete(key.id());
          }));
    }));
  }

  private Future<Brand> createBrand(RoutingContext ctx) {
    Caller.requireAdmin(ctx);
    JsonBody body = JsonBody.of(ctx, "name");
    String name = body.line("name", 1, MAX_NAME, null);
    return stores.brands().create(new Brand(Ids.newId("brd"), name, clock.instant()));
  }

  private Future<Brand> brand(String id) {
    return stores.brands().get(id).compose(brand -> brand == null
        ? Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no brand " + id))
        : Future.succeededFuture(brand));
  }
}
