package io.dropcast.server.webhook;

import static io.dropcast.server.http.ApiResponses.respond;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.config.Settings;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.Caller;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.sale.SaleHooks;
import io.dropcast.server.store.EntityStore;
import io.dropcast.server.store.memory.MemoryEntityStore;
import io.dropcast.server.store.redis.RedisEntityStore;
import io.dropcast.server.store.redis.RedisStores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brand webhooks: {@code PUT/GET/DELETE /api/v1/webhooks} (URL + Standard Webhooks secret, shared
 * through the store) and {@code GET /api/v1/webhooks/deliveries} (this node's recent attempts), and
 * delivery of sale events with the Standard Webhooks headers, retried with exponential backoff up to
 * {@code webhook.max-attempts}.
 *
 * <p>Delivery uses the non-blocking Vert.x HTTP client; retries are Vert.x timers. One attempt
 * lasts at most {@code webhook.timeout-ms} (connect, idle, and the whole answer), and the answer's
 * body is discarded unread, so a brand's endpoint cannot hold a delivery slot or node memory. At most
 * {@code webhook.max-pending} deliveries are in flight per node (more are dropped and logged), and
 * each brand keeps its last 100 attempts. Thread-safe.
 *
 * <p>SSRF guard (unless {@code webhook.allow-private-targets}): {@code PUT} refuses {@code localhost}
 * and loopback, private, link-local and unspecified IP literals ({@link WebhookTargets}); every attempt
 * first resolves the host on a worker thread ({@code executeBlocking}, never on the event loop),
 * refuses the attempt without sending anything when any resolved address is forbidden, and otherwise
 * connects to the checked address itself (the URL's host still goes into {@code Host} and TLS SNI /
 * certificate checks), so a DNS answer that changes between the check and the connect (rebinding)
 * cannot redirect the request. Redirects are never followed. A slow DNS server holds a Vert.x worker
 * thread per lookup (bounded by {@code webhook.max-pending}); the JVM's DNS cache applies.
 */
public final class Webhooks implements SaleHooks, ApiModule {
  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  private static final int KEPT_ATTEMPTS = 100;
  private static final int MAX_URL = 2000;
  /** {@code whsec_} + base64 of at most 64 bytes is 94 characters; anything longer is not a secret. */
  private static final int MAX_SECRET = 200;

  private final Vertx vertx;
  private final EntityStore<WebhookEndpoint> endpoints;
  private final HttpClient http;
  private final Clock clock;
  private final int maxAttempts;
  private final long retryBaseMs;
  private final int maxPending;
  private final long attemptTimeoutMs;
  private final boolean allowPrivateTargets;
  private final AtomicInteger pending = new AtomicInteger();
  private final Map<String, ArrayDeque<Map<String, Object>>> attempts = new ConcurrentHashMap<>();

  Webhooks(Vertx vertx, EntityStore<WebhookEndpoint> endpoints, Clock clock, int maxAttempts, long retryBaseMs,
           int maxPending, int timeoutMs, boolean allowPrivateTargets) {
    this.vertx = vertx;
    this.endpoints = endpoints;
    this.clock = clock;
    this.maxAttempts = maxAttempts;
    this.retryBaseMs = retryBaseMs;
    this.maxPending = maxPending;
    this.attemptTimeoutMs = timeoutMs;
    this.allowPrivateTargets = allowPrivateTargets;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  /** Wires webhooks on a node: REST routes, and returns the hook to give the sale service. */
  public static Webhooks install(DropcastServer server) {
    EntityStore<WebhookEndpoint> store = server.stores() instanceof RedisStores redis
        ? new RedisEntityStore<>(redis.connector(), "webhook", "webhook", WebhookEndpoint.class)
        : new MemoryEntityStore<>("webhook");
    var config = server.config();
    Webhooks webhooks = new Webhooks(server.vertx(), store, server.clock(), config.get(Settings.WEBHOOK_MAX_ATTEMPTS),
        config.get(Settings.WEBHOOK_RETRY_BASE_MS), config.get(Settings.WEBHOOK_MAX_PENDING),
        config.get(Settings.WEBHOOK_TIMEOUT_MS), config.get(Settings.WEBHOOK_ALLOW_PRIVATE_TARGETS));
    server.addApiModule(webhooks);
    server.onClose(webhooks.http::close);
    return webhooks;
  }

  // ------------------------------------------------------------------------------------------ REST

  @Override
  public void mount(Router api) {
    api.put("/webhooks").handler(respond(200, this::put));
    api.get("/webhooks").handler(respond(200, ctx -> endpoints.get(WebhookEndpoint.idFor(Caller.brand(ctx)))
        .map(e -> {
          if (e == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no webhook configured");
          }
          return view(e);
        })));
    api.delete("/webhooks").handler(respond(200, ctx -> endpoints.delete(WebhookEndpoint.idFor(Caller.brand(ctx)))
        .map(deleted -> Map.of("deleted", deleted))));
    api.get("/webhooks/deliveries").handler(respond(200, ctx -> {
      ArrayDeque<Map<String, Object>> list = attempts.get(Caller.brand(ctx));
      List<Map<String, Object>> copy;
      if (list == null) {
        copy = List.of();
      } else {
        synchronized (list) {
          copy = new ArrayList<>(list);
        }
      }
      return Future.succeededFuture(Map.of("deliveries", copy));
    }));
  }

  private Future<Map<String, Object>> put(RoutingContext ctx) {
    String brand = Caller.brand(ctx);
    JsonBody body = JsonBody.of(ctx, "url", "secret");
    String url = body.url("url", MAX_URL, null);
    if (!allowPrivateTargets) {
      String problem = WebhookTargets.literalProblem(WebhookTargets.host(url));
      if (problem != null) {
        throw JsonBody.bad("field 'url' " + problem
            + "; webhooks may not target the server's own or internal network (webhook.allow-private-targets=false)");
      }
    }
    String secret = body.optionalText("secret", 1, MAX_SECRET, null);
    if (secret == null) {
      secret = WebhookSigner.newSecret();
    } else if (WebhookSigner.keyOf(secret) == null) {
      throw JsonBody.bad("field 'secret' must be whsec_ followed by base64 of 16 to 64 bytes");
    }
    String kept = secret;
    Instant now = clock.instant();
    String id = WebhookEndpoint.idFor(brand);
    return endpoints.get(id).compose(existing -> existing == null
        ? endpoints.create(new WebhookEndpoint(id, brand, url, kept, now, now))
        : endpoints.update(new WebhookEndpoint(id, brand, url, kept, existing.createdAt(), now))).map(this::view);
  }

  private Map<String, Object> view(WebhookEndpoint e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", e.url());
    m.put("secret", e.secret());
    m.put("events", List.of("order.confirmed", "reservation.expired", "sale.started", "sale.sold_out", "sale.ended"));
    m.put("updatedAt", e.updatedAt());
    return m;
  }

  // -------------------------------------------------------------------------------------- delivery

  @Override
  public void emit(String brandId, String type, Object data) {
    endpoints.get(WebhookEndpoint.idFor(brandId)).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("webhook {} for brand {} not sent: {}", type, brandId, ar.cause().getMessage());
        return;
      }
      WebhookEndpoint endpoint = ar.result();
      if (endpoint == null) {
        return;
      }
      if (pending.incrementAndGet() > maxPending) {
        pending.decrementAndGet();
        LOG.warn("webhook {} for brand {} dropped: {} deliveries pending", type, brandId, maxPending);
        return;
      }
      Instant now = clock.instant();
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("type", type);
      payload.put("timestamp", now);
      payload.put("data", data);
      String body = JsonCodec.encodeToString(payload);
      deliver(endpoint, "msg_" + Ids.random(20), type, body, 1);
    });
  }

  /**
   * Where one attempt may connect: null when private targets are allowed (Vert.x resolves the URL's
   * host itself), else the first resolved address after every resolved address passed the check.
   * Resolution runs on a worker thread.
   *
   * @return a failed future with a clear message when the host is refused or does not resolve
   */
  private Future<SocketAddress> checkedTarget(String url) {
    if (allowPrivateTargets) {
      return Future.succeededFuture(null);
    }
    URI uri = URI.create(url);
    String host = WebhookTargets.host(url);
    String literal = WebhookTargets.literalProblem(host);
    if (literal != null) {
      return Future.failedFuture("refused: host " + literal + " (webhook.allow-private-targets=false); nothing sent");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return vertx.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(host), false)
        .recover(e -> Future.failedFuture("cannot resolve host '" + host + "': " + e.getMessage()))
        .compose(addresses -> {
          for (InetAddress a : addresses) {
            if (WebhookTargets.isForbidden(a)) {
              return Future.failedFuture("refused: host '" + host + "' resolves to " + a.getHostAddress()
                  + ", a loopback, private or link-local address (webhook.allow-private-targets=false); nothing sent");
            }
          }
          return Future.succeededFuture(SocketAddress.inetSocketAddress(port, addresses[0].getHostAddress()));
        });
  }

  private void deliver(WebhookEndpoint endpoint, String msgId, String type, String body, int attempt) {
    java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
    checkedTarget(endpoint.url())
        .compose(server -> send(endpoint, msgId, body, server, timedOut))
        .onComplete(ar -> attempted(endpoint, msgId, type, body, attempt, timedOut.get(), ar));
  }

  /** One HTTP attempt, to {@code server} when not null (the checked address), else to the URL's host. */
  private Future<Integer> send(WebhookEndpoint endpoint, String msgId, String body, SocketAddress server,
                               java.util.concurrent.atomic.AtomicBoolean timedOut) {
    long timestamp = clock.instant().getEpochSecond();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(endpoint.url())
        .putHeader("content-type", "application/json")
        .putHeader("webhook-id", msgId)
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", WebhookSigner.sign(endpoint.secret(), msgId, timestamp, body));
    if (server != null) {
      options.setServer(server);
    }
    return http.request(options)
        .compose(req -> {
          // The brand's endpoint decides how long and how much it answers: bound the whole attempt
          // (an endpoint that trickles bytes never trips the idle timeout) and discard the body as it
          // arrives instead of buffering it.
          long deadline = vertx.setTimer(attemptTimeoutMs, t -> {
            timedOut.set(true);
            req.reset();
          });
          return req.send(body)
              .compose(resp -> {
                int status = resp.statusCode();
                resp.handler(chunk -> { });
                return resp.end().map(v -> status);
              })
              .andThen(done -> vertx.cancelTimer(deadline));
        });
  }

  private void attempted(WebhookEndpoint endpoint, String msgId, String type, String body, int attempt,
                         boolean timedOut, io.vertx.core.AsyncResult<Integer> ar) {
    boolean ok = ar.succeeded() && ar.result() >= 200 && ar.result() < 300;
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("id", msgId);
    record.put("type", type);
    record.put("attempt", attempt);
    record.put("status", ar.succeeded() ? ar.result() : 0);
    record.put("ok", ok);
    if (ar.failed()) {
      record.put("error", timedOut ? "no complete answer within " + attemptTimeoutMs + " ms"
          : String.valueOf(ar.cause().getMessage()));
    }
    record.put("at", clock.instant());
    remember(endpoint.brandId(), record);
    if (ok || attempt >= maxAttempts) {
      pending.decrementAndGet();
      if (!ok) {
        LOG.warn("webhook {} {} to brand {} failed after {} attempts", type, msgId, endpoint.brandId(), attempt);
      }
      return;
    }
    long delay = retryBaseMs << Math.min(attempt - 1, 16);
    vertx.setTimer(delay, t -> deliver(endpoint, msgId, type, body, attempt + 1));
  }

  private void remember(String brandId, Map<String, Object> record) {
    ArrayDeque<Map<String, Object>> list = attempts.computeIfAbsent(brandId, k -> new ArrayDeque<>());
    synchronized (list) {
      list.addLast(record);
      while (list.size() > KEPT_ATTEMPTS) {
        list.removeFirst();
      }
    }
  }
}
