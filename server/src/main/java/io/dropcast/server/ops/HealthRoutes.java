package io.dropcast.server.ops;

import io.dropcast.server.gateway.SocketGateway;
import io.dropcast.server.store.Stores;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health} (liveness: the process answers), {@code GET /ready} (readiness: the store
 * answers and the node is not shutting down) and {@code GET /metrics} (Prometheus text format).
 */
public final class HealthRoutes {
  private final Stores stores;
  private final Metrics metrics;
  private final SocketGateway gateway;
  private volatile boolean shuttingDown;

  public HealthRoutes(Stores stores, Metrics metrics, SocketGateway gateway) {
    this.stores = stores;
    this.metrics = metrics;
    this.gateway = gateway;
  }

  /** Marks the node as shutting down: {@code /ready} answers 503 from now on. */
  public void shuttingDown() {
    shuttingDown = true;
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(this::scrape);
  }

  private void ready(RoutingContext ctx) {
    if (shuttingDown) {
      json(ctx, 503, new JsonObject().put("status", "DOWN").put("reason", "shutting down"));
      return;
    }
    stores.ping().onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, new JsonObject().put("status", "UP").put("store", "UP")
            .put("connections", gateway.connectionCount()));
      } else {
        json(ctx, 503, new JsonObject().put("status", "DOWN").put("store", "DOWN")
            .put("reason", String.valueOf(ar.cause().getMessage())));
      }
    });
  }

  private void scrape(RoutingContext ctx) {
    PrometheusMeterRegistry registry = metrics.registry();
    // Scraping walks every meter: cheap at our bounded cardinality, but keep it off the event loop.
    ctx.vertx().executeBlocking(registry::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
