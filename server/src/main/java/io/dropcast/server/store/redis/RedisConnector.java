package io.dropcast.server.store.redis;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared Lettuce connection (asynchronous, pipelined) to a standalone Redis or to a Redis
 * Cluster, and the bridge from Lettuce futures to Vert.x futures.
 *
 * <p>Every {@link #call} returns at once; its result completes on the caller's Vert.x context. When
 * Redis cannot be reached the call fails fast with {@code UNAVAILABLE}: commands are rejected while
 * disconnected, and a command in flight when the link drops fails after the command timeout. Lettuce
 * reconnects by itself; if even the first connection fails, this class retries every second, so a
 * node can start before Redis does.
 *
 * <p>In {@link Mode#CLUSTER} the URL may list several seed URIs separated by commas; Lettuce's
 * {@link RedisClusterClient} learns the topology from any reachable seed, routes each command by the
 * hash slot of its first key, follows {@code MOVED}/{@code ASK} redirections, refreshes the topology
 * periodically and on redirections/reconnects, and broadcasts {@code SCRIPT LOAD} to every master.
 * Callers must keep every multi-key command and script inside one hash slot (hash tags); see
 * {@code docs/redis-keys.md}. Thread-safe.
 */
public final class RedisConnector {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnector.class);
  /** How often the cluster client re-reads the topology even without a trigger. */
  static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(15);

  /** Which kind of Redis deployment {@code redis.url} points at ({@code redis.mode}). */
  public enum Mode {
    STANDALONE, CLUSTER;

    /** @return the mode named by a {@code redis.mode} value ({@code standalone} or {@code cluster}) */
    public static Mode of(String name) {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
  }

  private final Vertx vertx;
  private final Mode mode;
  private final List<RedisURI> uris;
  private final RedisClient standaloneClient;
  private final RedisClusterClient clusterClient;
  private volatile StatefulConnection<String, String> connection;
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private volatile boolean closed;
  private volatile boolean topologyLoaded;
  private volatile reactor.core.Disposable topologyEvents;

  /** Starts connecting (in the background) to the standalone Redis at {@code url}. */
  public RedisConnector(Vertx vertx, String url, Duration timeout) {
    this(vertx, Mode.STANDALONE, url, timeout);
  }

  /**
   * Starts connecting (in the background).
   *
   * @param url one Redis URI, or in cluster mode one or more seed URIs separated by commas
   * @param timeout command and connect timeout
   * @throws IllegalArgumentException when a URI does not parse, or standalone mode gets several
   */
  public RedisConnector(Vertx vertx, Mode mode, String url, Duration timeout) {
    this.vertx = vertx;
    this.mode = mode;
    this.uris = parseUris(url);
    if (mode == Mode.STANDALONE && uris.size() != 1) {
      throw new IllegalArgumentException("redis.url lists " + uris.size() + " URIs; several seeds need redis.mode=cluster");
    }
    uris.forEach(u -> u.setTimeout(timeout));
    // TCP_NODELAY: one connection carries every pipelined command; Nagle + delayed ACK would stall it.
    SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).keepAlive(true).tcpNoDelay(true).build();
    if (mode == Mode.CLUSTER) {
      this.standaloneClient = null;
      this.clusterClient = RedisClusterClient.create(uris);
      clusterClient.setOptions(ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .socketOptions(socket)
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
              .enableAllAdaptiveRefreshTriggers()
              .build())
          .build());
    } else {
      this.clusterClient = null;
      this.standaloneClient = RedisClient.create();
      standaloneClient.setOptions(ClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .socketOptions(socket)
          .build());
    }
    connect();
  }

  /**
   * Parses {@code redis.url}: one URI or several separated by commas (blanks around them ignored);
   * a {@code redis-sentinel://} URI is one URI even when it lists several Sentinels with commas.
   *
   * @throws IllegalArgumentException when it is empty or a URI does not parse
   */
  public static List<RedisURI> parseUris(String url) {
    String trimmed = url.trim();
    if (trimmed.startsWith("redis-sentinel://") || trimmed.startsWith("rediss-sentinel://")) {
      // One URI naming several Sentinels (host:port,host:port?sentinelMasterId=…), parsed by Lettuce.
      try {
        return List.of(RedisURI.create(trimmed));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a Redis Sentinel URI: '" + trimmed + "' (" + e.getMessage() + ")");
      }
    }
    List<RedisURI> result = new ArrayList<>();
    for (String part : url.split(",")) {
      String text = part.trim();
      if (text.isEmpty()) {
        throw new IllegalArgumentException("empty Redis URI in '" + url + "'");
      }
      try {
        result.add(RedisURI.create(text));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a Redis URI: '" + text + "' (" + e.getMessage() + ")");
      }
    }
    return result;
  }

  /** @return standalone or cluster */
  public Mode mode() {
    return mode;
  }

  private String where() {
    return uris.stream().map(u -> u.getSentinels().isEmpty() ? u.getHost() + ":" + u.getPort()
        : "master '" + u.getSentinelMasterId() + "' via Sentinels "
            + u.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).collect(Collectors.joining(",")))
        .collect(Collectors.joining(","));
  }

  private void connect() {
    if (closed) {
      return;
    }
    CompletionStage<? extends StatefulConnection<String, String>> connecting = mode == Mode.CLUSTER
        ? topologyLoaded().thenCompose(v -> clusterClient.connectAsync(StringCodec.UTF8))
        : standaloneClient.connectAsync(StringCodec.UTF8, uris.get(0));
    connecting.thenCompose(conn -> conn instanceof StatefulRedisClusterConnection<String, String> c
        ? connectMasters(c).thenApply(v -> conn) : CompletableFuture.completedFuture(conn)).whenComplete((conn, error) -> {
      if (error != null) {
        LOG.warn("cannot connect to Redis {} at {} ({}); retrying", mode.name().toLowerCase(Locale.ROOT), where(), rootMessage(error));
        if (!closed) {
          vertx.setTimer(1000, t -> connect());
        }
      } else if (closed) {
        conn.closeAsync();
      } else {
        if (conn instanceof StatefulRedisClusterConnection<String, String> c) {
          topologyEvents = clusterClient.getResources().eventBus().get()
              .filter(event -> event instanceof ClusterTopologyChangedEvent)
              .subscribe(event -> connectMasters(c));
        }
        commands = conn instanceof StatefulRedisClusterConnection<String, String> c ? c.async()
            : ((StatefulRedisConnection<String, String>) conn).async();
        connection = conn;
        LOG.info("connected to Redis {} at {}", mode.name().toLowerCase(Locale.ROOT), where());
      }
    });
  }

  /** @return the Vert.x instance whose contexts results complete on */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Runs Redis commands asynchronously. In cluster mode each command goes to the master of its
   * key's hash slot; a script or multi-key command must keep all its keys in one slot.
   *
   * @param command issues commands on the async API (standalone or cluster: the common supertype)
   *     and returns the stage of the result
   * @return the result on the caller's context; fails with UNAVAILABLE when Redis is unreachable or
   *     too slow, INTERNAL when Redis rejects the command (a bug), or the command's own
   *     {@link ProtocolException}
   */
  public <T> Future<T> call(Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
    RedisClusterAsyncCommands<String, String> cmds = commands;
    if (cmds == null || closed) {
      return Future.failedFuture(unavailable(closed ? "store closed" : "not connected yet"));
    }
    CompletionStage<T> stage;
    try {
      stage = command.apply(cmds);
    } catch (RuntimeException e) {
      return Future.failedFuture(translate(e));
    }
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext()).recover(e -> Future.failedFuture(translate(e)));
  }

  /**
   * Opens a new pub/sub connection (the caller owns and closes it). Standalone: a pub/sub
   * connection to the Redis; cluster: the cluster client's pub/sub connection, which subscribes on
   * one node — plain {@code SUBSCRIBE}/{@code PUBLISH} are cluster-wide, so it hears messages
   * published through any node (e.g. with {@code call(c -> c.publish(...))}). Lettuce re-subscribes
   * after a reconnect. Completes on a Lettuce thread, not on a Vert.x context.
   *
   * @return the connection, or a failure with UNAVAILABLE when Redis cannot be reached or this
   *     connector is closed
   */
  public <K, V> CompletionStage<StatefulRedisPubSubConnection<K, V>> connectPubSub(RedisCodec<K, V> codec) {
    if (closed) {
      return CompletableFuture.failedFuture(unavailable("store closed"));
    }
    CompletionStage<? extends StatefulRedisPubSubConnection<K, V>> connecting;
    try {
      connecting = mode == Mode.CLUSTER
          ? topologyLoaded().thenCompose(v -> clusterClient.connectPubSubAsync(codec))
          : standaloneClient.connectPubSubAsync(codec, uris.get(0));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(translate(e));
    }
    return connecting.handle((conn, error) -> {
      if (error != null) {
        throw new CompletionException(translate(error));
      }
      return (StatefulRedisPubSubConnection<K, V>) conn;
    });
  }

  /**
   * Opens the connection to every master now. Lettuce opens node connections lazily, and with
   * REJECT_COMMANDS a command that would wait for a node connection being opened is rejected, so
   * without this the first command to each master (and to a master added later) would fail with
   * UNAVAILABLE. Called after connecting and on every topology change; never fails (a master that
   * cannot be reached now is connected on demand later).
   */
  private CompletionStage<Void> connectMasters(StatefulRedisClusterConnection<String, String> conn) {
    List<CompletableFuture<?>> opening = new ArrayList<>();
    for (RedisClusterNode node : conn.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        // By host and port: that is how Lettuce keys the connections it routes slot commands to.
        opening.add(conn.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort()));
      }
    }
    return CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).handle((v, error) -> {
      if (error != null) {
        LOG.warn("cannot connect to every Redis Cluster master yet ({}); commands for it fail with UNAVAILABLE until it answers",
            rootMessage(error));
      }
      return null;
    });
  }

  /**
   * The cluster client connects only once it knows the topology; its asynchronous connect does not
   * load it by itself (the blocking one would). Loads it from the seeds once, without blocking.
   */
  private CompletionStage<Void> topologyLoaded() {
    if (topologyLoaded) {
      return CompletableFuture.completedFuture(null);
    }
    return clusterClient.refreshPartitionsAsync().thenRun(() -> topologyLoaded = true);
  }

  /** @return true while the link to Redis (cluster: to the node taking keyless commands) is up */
  public boolean isConnected() {
    StatefulConnection<String, String> conn = connection;
    return conn != null && conn.isOpen();
  }

  /** Maps a Lettuce failure to a {@link ProtocolException}. */
  static Throwable translate(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof ProtocolException) {
      return cause;
    }
    if (cause instanceof RedisCommandExecutionException rce) {
      String message = rce.getMessage() == null ? "" : rce.getMessage();
      if (message.startsWith("NOSCRIPT")) {
        return rce; // handled by RedisScript
      }
      if (message.startsWith("LOADING")) {
        return unavailable("Redis is loading");
      }
      // Cluster fail-over or resharding in progress: transient, the client may retry.
      if (message.startsWith("CLUSTERDOWN") || message.startsWith("TRYAGAIN") || message.startsWith("MASTERDOWN")) {
        return unavailable(message);
      }
      LOG.error("Redis rejected a command", rce);
      return new ProtocolException(ErrorCode.INTERNAL, "storage error");
    }
    return unavailable(rootMessage(cause));
  }

  static ProtocolException unavailable(String why) {
    return new ProtocolException(ErrorCode.UNAVAILABLE, "storage unavailable (" + why + "); retry later");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Closes the connection and the client's threads; later calls fail with UNAVAILABLE. */
  public Future<Void> close() {
    closed = true;
    reactor.core.Disposable events = topologyEvents;
    if (events != null) {
      events.dispose();
    }
    StatefulConnection<String, String> conn = connection;
    CompletionStage<Void> closing = conn == null ? CompletableFuture.completedFuture(null) : conn.closeAsync();
    AbstractRedisClient client = mode == Mode.CLUSTER ? clusterClient : standaloneClient;
    return Future.fromCompletionStage(closing.thenCompose(v -> client.shutdownAsync()));
  }
}
