package io.dropcast.server.show;

import static io.dropcast.server.http.ApiResponses.items;
import static io.dropcast.server.http.ApiResponses.respond;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.catalog.Product;
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
import java.util.Arrays;
import java.util.List;

/**
 * A brand's shows over REST (brand API key): {@code POST/GET /shows} (list, optional
 * {@code ?state=scheduled|live|ended}), {@code GET/PATCH/DELETE /shows/{id}}.
 *
 * <p>Rules: new shows are {@code scheduled}; PATCH only while scheduled (a PATCH of only
 * {@code hostCostMinor}, the host's cost for the analytics ROI, also once ended) and DELETE not while live
 * (CONFLICT); every lineup id must be an existing product of the same brand, listed once
 * (BAD_REQUEST naming the id); another brand's show answers NOT_FOUND. Going live and ending are
 * socket operations of the host (issue "Live shows"), not REST.
 *
 * <p>Handlers run on the HTTP event loop and only chain store futures. PATCH re-reads the show after
 * validating the lineup and writes it in the same step, so with the in-memory store no state change
 * can slip in between; across nodes the store offers no compare-and-set (last writer wins).
 */
public final class ShowApi implements ApiModule {
  public static final int MAX_TITLE = 200;
  public static final int MAX_HOST_USER_ID = 64;
  public static final int MAX_LINEUP = 50;

  private static final String[] FIELDS =
      {"title", "scheduledStart", "hostUserId", "lineup", "sponsored", "guestsAllowed", "hostCostMinor"};
  /** Largest host cost (minor units). */
  public static final long MAX_HOST_COST = 1_000_000_000_000L;
  private static final List<String> STATES =
      Arrays.stream(Show.State.values()).map(Show.State::wireName).toList();

  private final Stores stores;
  private final Clock clock;

  public ShowApi(DropcastServer server) {
    this.stores = server.stores();
    this.clock = server.clock();
  }

  @Override
  public void mount(Router api) {
    api.post("/shows").handler(respond(201, this::create));
    api.get("/shows").handler(respond(200, this::list));
    api.get("/shows/:id").handler(respond(200, ctx -> findOwned(stores, Caller.brand(ctx), ctx.pathParam("id"))));
    api.patch("/shows/:id").handler(respond(200, this::update));
    api.delete("/shows/:id").handler(respond(204, this::delete));
  }

  /** @return the brand's show with this id; NOT_FOUND when missing or owned by another brand */
  public static Future<Show> findOwned(Stores stores, String brandId, String id) {
    return stores.shows().get(id).compose(s -> s == null || !s.brandId().equals(brandId)
        ? Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no show " + id))
        : Future.succeededFuture(s));
  }

  private Future<?> list(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    List<String> stateParams = ctx.queryParam("state");
    String state = stateParams.isEmpty() ? null : stateParams.get(0);
    if (stateParams.size() > 1 || (state != null && !STATES.contains(state))) {
      throw JsonBody.bad("query parameter 'state' must be one of " + String.join(", ", STATES));
    }
    return stores.shows().listByBrand(brandId).map(shows -> items(state == null ? shows
        : shows.stream().filter(s -> s.state().wireName().equals(state)).toList()));
  }

  private Future<Show> create(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    JsonBody body = JsonBody.of(ctx, FIELDS);
    Instant now = clock.instant();
    Show show = new Show(Ids.newId("shw"), brandId,
        body.line("title", 1, MAX_TITLE, null),
        body.instant("scheduledStart", null),
        body.line("hostUserId", 1, MAX_HOST_USER_ID, null),
        body.distinctStrings("lineup", MAX_LINEUP, 64, List.of()),
        body.bool("sponsored", false),
        body.bool("guestsAllowed", false),
        Show.State.SCHEDULED, null, null, now, now, hostCost(body, null));
    return checkLineup(brandId, show.lineup()).compose(v -> stores.shows().create(show));
  }

  private Future<Show> update(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    String id = ctx.pathParam("id");
    JsonBody body = JsonBody.of(ctx, FIELDS);
    if (body.hasOnly("hostCostMinor")) {
      // The host's cost may be set after the show (for the ROI); an ended show changes no more, so
      // this write cannot undo a state change. Not while live: the room writes the state then.
      Long cost = hostCost(body, null);
      return findOwned(stores, brandId, id).compose(existing -> {
        if (existing.state() == Show.State.LIVE) {
          requireScheduled(existing);
        }
        return stores.shows().update(existing.withHostCost(cost, clock.instant()));
      });
    }
    return findOwned(stores, brandId, id)
        .compose(existing -> {
          requireScheduled(existing);
          // Validate every field before any lookup, so a bad body never costs store reads.
          Show changed = read(body, existing);
          return checkLineup(brandId, changed.lineup()).map(v -> changed);
        })
        .compose(changed -> findOwned(stores, brandId, id).compose(latest -> {
          requireScheduled(latest);
          return stores.shows().update(read(body, latest));
        }));
  }

  private Show read(JsonBody body, Show base) {
    return new Show(base.id(), base.brandId(),
        body.line("title", 1, MAX_TITLE, base.title()),
        body.instant("scheduledStart", base.scheduledStart()),
        body.line("hostUserId", 1, MAX_HOST_USER_ID, base.hostUserId()),
        body.distinctStrings("lineup", MAX_LINEUP, 64, base.lineup()),
        body.bool("sponsored", base.sponsored()),
        body.bool("guestsAllowed", base.guestsAllowed()),
        base.state(), base.startedAt(), base.endedAt(), base.createdAt(), clock.instant(),
        hostCost(body, base.hostCostMinor()));
  }

  /** @return the body's {@code hostCostMinor} (JSON null clears it), or {@code current} when absent */
  private static Long hostCost(JsonBody body, Long current) {
    if (!body.has("hostCostMinor")) {
      return current;
    }
    return body.isNull("hostCostMinor") ? null : body.integer("hostCostMinor", 0, MAX_HOST_COST, null);
  }

  private Future<Void> delete(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    return findOwned(stores, brandId, ctx.pathParam("id")).compose(show -> {
      if (show.state() == Show.State.LIVE) {
        return Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT,
            "show " + show.id() + " is live; end it before deleting it"));
      }
      return stores.shows().delete(show.id()).mapEmpty();
    });
  }

  private static void requireScheduled(Show show) {
    if (show.state() != Show.State.SCHEDULED) {
      throw new ProtocolException(ErrorCode.CONFLICT,
          "show " + show.id() + " is " + show.state().wireName() + "; only scheduled shows can be changed");
    }
  }

  /** Fails with BAD_REQUEST naming the first id that is not a product of this brand. */
  private Future<Void> checkLineup(String brandId, List<String> lineup) {
    if (lineup.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Product>> lookups = lineup.stream().map(id -> stores.products().get(id)).toList();
    return Future.all(lookups).compose(all -> {
      for (int i = 0; i < lineup.size(); i++) {
        Product p = lookups.get(i).result();
        if (p == null || !p.brandId().equals(brandId)) {
          return Future.failedFuture(JsonBody.bad("field 'lineup' names '" + lineup.get(i)
              + "', which is not one of your products"));
        }
      }
      return Future.succeededFuture();
    });
  }
}
