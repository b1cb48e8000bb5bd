package io.dropcast.server.store.redis;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared Lettuce connection (asynchronous, pipelined) and the bridge from Lettuce futures to
 * Vert.x futures.
 *
 * <p>Every {@link #call} returns at once; its result completes on the caller's Vert.x context. When
 * Redis cannot be reached the call fails fast with {@code UNAVAILABLE}: commands are rejected while
 * disconnected, and a command in flight when the link drops fails after the command timeout. Lettuce
 * reconnects by itself; if even the first connection fails, this class retries every second, so a
 * node can start before Redis does. Thread-safe.
 */
public final class RedisConnector {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnector.class);

  private final Vertx vertx;
  private final RedisClient client;
  private final RedisURI uri;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile boolean closed;

  /**
   * Starts connecting (in the background) to {@code url}.
   *
   * @param timeout command and connect timeout
   */
  public RedisConnector(Vertx vertx, String url, Duration timeout) {
    this.vertx = vertx;
    this.uri = RedisURI.create(url);
    uri.setTimeout(timeout);
    this.client = RedisClient.create();
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        // TCP_NODELAY: one connection carries every pipelined command; Nagle + delayed ACK would stall it.
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).tcpNoDelay(true).build())
        .build());
    connect();
  }

  private void connect() {
    if (closed) {
      return;
    }
    client.connectAsync(StringCodec.UTF8, uri).whenComplete((conn, error) -> {
      if (error != null) {
        LOG.warn("cannot connect to Redis at {}:{} ({}); retrying", uri.getHost(), uri.getPort(), rootMessage(error));
        if (!closed) {
          vertx.setTimer(1000, t -> connect());
        }
      } else if (closed) {
        conn.closeAsync();
      } else {
        connection = conn;
        LOG.info("connected to Redis at {}:{}", uri.getHost(), uri.getPort());
      }
    });
  }

  /**
   * Runs Redis commands asynchronously.
   *
   * @param command issues commands on the async API and returns the stage of the result
   * @return the result on the caller's context; fails with UNAVAILABLE when Redis is unreachable or
   *     too slow, INTERNAL when Redis rejects the command (a bug), or the command's own
   *     {@link ProtocolException}
   */
  public <T> Future<T> call(Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command) {
    StatefulRedisConnection<String, String> conn = connection;
    if (conn == null || closed) {
      return Future.failedFuture(unavailable(closed ? "store closed" : "not connected yet"));
    }
    CompletionStage<T> stage;
    try {
      stage = command.apply(conn.async());
    } catch (RuntimeException e) {
      return Future.failedFuture(translate(e));
    }
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext()).recover(e -> Future.failedFuture(translate(e)));
  }

  /**
   * Opens a new pub/sub connection (its own TCP link; Lettuce re-subscribes after a reconnect).
   *
   * @return completes with the connection, or fails when Redis cannot be reached
   */
  public <K, V> CompletionStage<io.lettuce.core.pubsub.StatefulRedisPubSubConnection<K, V>> connectPubSub(
      io.lettuce.core.codec.RedisCodec<K, V> codec) {
    return client.connectPubSubAsync(codec, uri);
  }

  /** @return true while the link to Redis is up */
  public boolean isConnected() {
    StatefulRedisConnection<String, String> conn = connection;
    return conn != null && conn.isOpen();
  }

  /** Maps a Lettuce failure to a {@link ProtocolException}. */
  static Throwable translate(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof ProtocolException) {
      return cause;
    }
    if (cause instanceof RedisCommandExecutionException rce) {
      if (rce.getMessage() != null && rce.getMessage().startsWith("NOSCRIPT")) {
        return rce; // handled by RedisScript
      }
      if (rce.getMessage() != null && rce.getMessage().startsWith("LOADING")) {
        return unavailable("Redis is loading");
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
    StatefulRedisConnection<String, String> conn = connection;
    CompletionStage<Void> closing = conn == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
        : conn.closeAsync();
    return Future.fromCompletionStage(closing.thenCompose(v -> client.shutdownAsync()));
  }
}
