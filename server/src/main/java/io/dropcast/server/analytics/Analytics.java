package io.dropcast.server.analytics;

import io.dropcast.server.DropcastServer;
import io.dropcast.server.config.Settings;
import io.dropcast.server.live.LiveShows;
import io.dropcast.server.sale.SaleService;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.util.Ids;

/**
 * Installs show analytics on a node: the store matching the node's store (Redis or memory), the
 * runtime as the listener of show rooms and sales, the {@code share}/{@code click} ops, the REST
 * routes and the flush/push timers. See {@code docs/analytics.md}.
 */
public final class Analytics {
  private Analytics() {}

  /** Wires everything; call from {@code DropcastServer.installFeatures()}. @return the runtime */
  public static AnalyticsService install(DropcastServer server, LiveShows live, SaleService sales) {
    AnalyticsStore store = server.stores() instanceof RedisStores redis
        ? new RedisAnalyticsStore(redis.connector())
        : new MemoryAnalyticsStore();
    AnalyticsService service = new AnalyticsService(server.vertx(), store, server.stores(), live, server.clock(),
        "node-" + Ids.random(12), server.config().get(Settings.ANALYTICS_FLUSH_MS),
        server.config().get(Settings.ANALYTICS_LIVE_STATS_MS), server.metrics().registry());
    live.activity(service);
    sales.activity(service);
    service.register(server.gateway());
    server.addApiModule(new AnalyticsApi(service, server.stores(), server.clock()));
    service.start();
    server.onClose(service::stop);
    return service;
  }
}
