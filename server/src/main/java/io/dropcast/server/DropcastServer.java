package io.dropcast.server;

import io.dropcast.server.auth.TokenService;
import io.dropcast.server.config.Config;
import io.dropcast.server.config.Settings;
import io.dropcast.server.demo.DemoData;
import io.dropcast.server.gateway.SocketGateway;
import io.dropcast.server.http.ApiAuth;
import io.dropcast.server.http.ApiErrors;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.ops.EventLoopLagProbe;
import io.dropcast.server.ops.HealthRoutes;
import io.dropcast.server.ops.Metrics;
import io.dropcast.server.store.Stores;
import io.dropcast.server.store.memory.MemoryStores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs one Dropcast node: Vert.x with Micrometer metrics, the store, the REST API,
 * the WebSocket gateway and the operational endpoints, on one HTTP port.
 *
 * <p>Create with {@link #start(Config)}; stop with {@link #close()}. Tests start one per class on a
 * free port ({@code port=0}). Thread-safe after start.
 */
public final class DropcastServer {
  private static final Logger LOG = LoggerFactory.getLogger(DropcastServer.class);

  private final Config config;
  private final Vertx vertx;
  private final Metrics metrics;
  private final Stores stores;
  private final TokenService tokens;
  private final SocketGateway gateway;
  private final String adminKey;
  private final Clock clock;
  private final List<Runnable> closers = new ArrayList<>();
  private final List<ApiModule> apiModules = new ArrayList<>();
  private final HealthRoutes health;
  private volatile HttpServer http;
  private final List<HttpServer> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private EventLoopLagProbe lagProbe;
  private io.dropcast.server.live.LiveShows liveShows;
  private io.dropcast.server.sale.SaleService sales;
  private volatile DemoData.Seeded demo;

  private DropcastServer(Config config) {
    this.config = config;
    this.clock = Clock.systemUTC();
    this.metrics = new Metrics();
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        .addDisabledMetricsCategory(MetricsDomain.NAMED_POOLS)
        .addDisabledMetricsCategory(MetricsDomain.VERTICLES);
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metricsOptions)
            .setPreferNativeTransport(config.get(Settings.NATIVE_TRANSPORT)))
        .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
        .build();
    logTransport(vertx, config.get(Settings.NATIVE_TRANSPORT));
    String key = config.get(Settings.ADMIN_KEY);
    this.adminKey = key.isEmpty() ? "adm_" + Ids.random(32) : key;
    String secret = config.get(Settings.TOKEN_SECRET);
    this.tokens = new TokenService(secret.isEmpty() ? Ids.random(48) : secret, clock);
    this.stores = createStores(config, vertx);
    this.gateway = new SocketGateway(vertx, config, tokens, metrics);
    this.health = new HealthRoutes(stores, metrics, gateway);
    installFeatures();
  }

  /**
   * Every feature registers its socket ops (on {@link #gateway()}), REST modules
   * ({@link #addApiModule}) and shutdown hooks ({@link #onClose}) here, in dependency order.
   */
  private void installFeatures() {
    addApiModule(new io.dropcast.server.brand.BrandApi(this));
    addApiModule(new io.dropcast.server.catalog.ProductApi(this));
    addApiModule(new io.dropcast.server.show.ShowApi(this));
    addApiModule(new io.dropcast.server.auth.TokenApi(this));
    liveShows = new io.dropcast.server.live.LiveShows(this);
    sales = io.dropcast.server.sale.Sales.install(this, liveShows);
    sales.hooks(io.dropcast.server.webhook.Webhooks.install(this));
    io.dropcast.server.analytics.Analytics.install(this, liveShows, sales);
  }

  /** @return the live-show runtime; other features publish show events through it */
  public io.dropcast.server.live.ShowEvents showEvents() {
    return liveShows;
  }

  /** @return the flash-sale service (the demo seeds a sale through it) */
  public io.dropcast.server.sale.SaleService sales() {
    return sales;
  }

  /** Logs which transport carries the sockets (epoll or NIO) and, when epoll was wanted but is missing, why. */
  private static void logTransport(Vertx vertx, boolean preferNative) {
    String transport = ((VertxInternal) vertx).transport().getClass().getSimpleName().replace("Transport", "").toLowerCase(java.util.Locale.ROOT);
    if (vertx.isNativeTransportEnabled() || !preferNative) {
      LOG.info("network transport: {}", transport);
    } else {
      Throwable why = vertx.unavailableNativeTransportCause();
      LOG.info("network transport: {} (native transport unavailable: {})", transport,
          why == null ? "unknown" : why.toString());
    }
  }

  private static Stores createStores(Config config, Vertx vertx) {
    if ("redis".equals(config.get(Settings.STORE))) {
      return new io.dropcast.server.store.redis.RedisStores(vertx,
          io.dropcast.server.store.redis.RedisConnector.Mode.of(config.get(Settings.REDIS_MODE)), config.get(Settings.REDIS_URL),
          java.time.Duration.ofMillis(config.get(Settings.REDIS_TIMEOUT_MS)));
    }
    return new MemoryStores();
  }

  /**
   * Starts a node.
   *
   * @return completes with the running server once it listens
   */
  public static Future<DropcastServer> start(Config config) {
    DropcastServer server;
    try {
      server = new DropcastServer(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return server.listen().compose(v -> server.seedDemo()).map(v -> server)
        .recover(e -> server.close().transform(ar -> Future.failedFuture(e)));
  }

  /** Demo mode: seeds the demo data once the node listens (the banner prints the port). */
  private Future<Void> seedDemo() {
    if (!config.get(Settings.DEMO)) {
      return Future.succeededFuture();
    }
    return DemoData.seed(this).onSuccess(seeded -> demo = seeded).mapEmpty();
  }

  /** @return what demo mode seeded, or null when {@code demo} is off */
  public DemoData.Seeded demo() {
    return demo;
  }

  private Future<Void> listen() {
    Router router = Router.router(vertx);
    ApiErrors errors = new ApiErrors(metrics);
    health.mount(router);
    new io.dropcast.server.http.OpenApiDoc().mount(router);

    Router api = Router.router(vertx);
    api.route().handler(BodyHandler.create(false).setBodyLimit(config.get(Settings.HTTP_MAX_BODY_BYTES)));
    api.route().handler(new ApiAuth(adminKey, stores)::handle);
    for (ApiModule module : apiModules) {
      module.mount(api);
    }
    api.route().failureHandler(errors::handle);
    router.route("/api/v1/*").subRouter(api);
    // Web pages and the embeddable JS client (classpath web/); unknown paths fall through to the 404 below.
    router.get().handler(io.vertx.ext.web.handler.StaticHandler.create("web").setCachingEnabled(false));
    router.route().last().handler(ctx -> errors.send(ctx, io.dropcast.protocol.ErrorCode.NOT_FOUND,
        "no route for " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(errors::handle);

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.get(Settings.HOST))
        .setPort(config.get(Settings.PORT))
        .setMaxWebSocketFrameSize(gateway.maxFrameBytes())
        .setMaxWebSocketMessageSize(gateway.maxFrameBytes())
        .setTcpNoDelay(true)
        // HTTP/1.1 + WebSocket only: no cleartext HTTP/2 upgrade (h2c), which no client of ours uses
        // and which the JDK HttpClient otherwise negotiates on every plain-http call.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(true)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    lagProbe = new EventLoopLagProbe((VertxInternal) vertx, metrics, 1000);
    // One server instance per event loop: Vert.x binds each connection to the context of the server
    // instance that accepted it, so a single instance would put every socket on one loop. All
    // instances share one port; for port 0 Vert.x's shared random port (-1) makes them agree on one.
    int loops = 0;
    for (io.netty.util.concurrent.EventExecutor ignored : ((VertxInternal) vertx).eventLoopGroup()) {
      loops++;
    }
    if (options.getPort() == 0) {
      options.setPort(-1);
    }
    Router handler = router;
    return vertx.deployVerticle(() -> new HttpVerticle(options, handler),
            new io.vertx.core.DeploymentOptions().setInstances(loops))
        .mapEmpty();
  }

  /** One HTTP/WebSocket server instance; Vert.x runs each instance on its own event loop. */
  private final class HttpVerticle extends io.vertx.core.VerticleBase {
    private final HttpServerOptions options;
    private final Router router;

    HttpVerticle(HttpServerOptions options, Router router) {
      this.options = options;
      this.router = router;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(options)
          .webSocketHandshakeHandler(gateway::handleHandshake)
          .webSocketHandler(gateway::handleSocket)
          .requestHandler(router)
          .listen()
          .onSuccess(server -> {
            servers.add(server);
            if (http == null) {
              http = server;
            }
          });
    }
  }

  /** Adds a feature's REST routes under {@code /api/v1}; call from {@link #installFeatures()}. */
  public void addApiModule(ApiModule module) {
    apiModules.add(module);
  }

  /** @return the REST modules installed so far (read-only; tests compare their routes with the OpenAPI doc) */
  public List<ApiModule> apiModules() {
    return java.util.Collections.unmodifiableList(apiModules);
  }

  /** Runs a hook at the start of {@link #close()} (stop timers, flush state). */
  public void onClose(Runnable hook) {
    closers.add(hook);
  }

  /** @return the port the server listens on */
  public int port() {
    return http.actualPort();
  }

  /** @return the admin API key in force (generated when not configured) */
  public String adminKey() {
    return adminKey;
  }

  public Config config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Stores stores() {
    return stores;
  }

  public TokenService tokens() {
    return tokens;
  }

  public Metrics metrics() {
    return metrics;
  }

  public SocketGateway gateway() {
    return gateway;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * Graceful shutdown: not ready, close every socket with 1001, stop listening, release the store,
   * stop Vert.x.
   */
  public Future<Void> close() {
    health.shuttingDown();
    if (lagProbe != null) {
      lagProbe.close();
    }
    closers.forEach(Runnable::run);
    long grace = config.get(Settings.SHUTDOWN_GRACE_MS);
    return gateway.shutdown()
        .compose(v -> {
          io.vertx.core.Promise<Void> waited = io.vertx.core.Promise.promise();
          if (gateway.drained() || grace == 0) {
            waited.complete();
          } else {
            long deadline = System.currentTimeMillis() + grace;
            vertx.setPeriodic(20, id -> {
              if (gateway.drained() || System.currentTimeMillis() >= deadline) {
                vertx.cancelTimer(id);
                waited.tryComplete();
              }
            });
          }
          return waited.future();
        })
        .compose(v -> Future.all(servers.stream().map(HttpServer::close).toList()).<Void>mapEmpty())
        .eventually(stores::close)
        .eventually(vertx::close)
        .onFailure(e -> LOG.warn("shutdown failed", e));
  }
}
