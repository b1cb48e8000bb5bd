package io.dropcast.server.sale;

import io.dropcast.server.DropcastServer;
import io.dropcast.server.config.Settings;
import io.dropcast.server.live.LiveShows;
import io.dropcast.server.store.redis.RedisStores;

/**
 * Installs the flash-sales feature on a node: the sale store matching the node's store (Redis or
 * memory), the service and its ticker, the REST routes and the socket ops, the {@code sales} section
 * of the join snapshot and the comment-to-buy chat command.
 */
public final class Sales {
  private Sales() {}

  /** Wires everything; call from {@code DropcastServer.installFeatures()}. @return the service */
  public static SaleService install(DropcastServer server, LiveShows live) {
    SaleStore store = server.stores() instanceof RedisStores redis
        ? new RedisSaleStore(redis.connector(), server.clock())
        : new MemorySaleStore(server.clock());
    SaleService service = new SaleService(server.vertx(), store, live, server.clock(),
        server.config().get(Settings.SALE_SWEEP_BATCH), server.config().get(Settings.SALE_RESERVES_IN_FLIGHT),
        server.config().get(Settings.SALE_RESERVES_WAITING));
    server.addApiModule(new SaleApi(service, server.stores(), server.config().get(Settings.SALE_MIN_HOLD_SECONDS)));
    new SaleOps(service, live).register(server.gateway());
    live.snapshotContributor("sales", (show, who) -> service.showSnapshot(show.id()));
    String keyword = server.config().get(Settings.SALE_CHAT_KEYWORD);
    if (!keyword.isEmpty()) {
      live.chatCommand(new SaleChatCommand(service, keyword));
    }
    service.start(server.config().get(Settings.SALE_TICK_MS));
    server.onClose(service::stop);
    return service;
  }
}
