package io.dropcast.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.message.Hello;
import io.dropcast.protocol.message.Ops;
import io.dropcast.protocol.message.Reply;
import io.dropcast.protocol.message.Request;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.TokenService;
import io.dropcast.server.config.Config;
import io.dropcast.server.config.Settings;
import io.dropcast.server.ops.Metrics;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxHandler;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint at {@code /ws}: upgrades, authenticates, sends the hello, decodes request
 * envelopes, enforces size and rate limits, dispatches ops to registered {@link OpHandler}s and
 * answers each request exactly once. Binary frames go to the registered {@link MediaHandler}.
 *
 * <p>Vert.x's HTTP server does the upgrade; then {@link #handleSocket} takes the channel over from
 * Vert.x (its handler in the pipeline is replaced by a {@link SocketHandler}), so an idle socket
 * keeps no Vert.x connection objects alive: see {@link SocketHandler}.
 *
 * <p>Features register ops before the server starts; registration is not thread-safe. After start,
 * the gateway is used from all event loops (each connection stays on its own loop).
 */
public final class SocketGateway {
  private static final Logger LOG = LoggerFactory.getLogger(SocketGateway.class);
  private static final String SERVER_NAME = "dropcast/0.1.0";

  private final Vertx vertx;
  private final TokenService tokens;
  private final Metrics metrics;
  private final Map<String, Registration> ops = new ConcurrentHashMap<>();
  private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
  private final int maxTextBytes;
  private final int maxMediaBytes;
  /** Shared by every channel: {@code ws.write-queue-bytes} as high mark, half of it as low mark. */
  private final WriteBufferWaterMark writeQueueMarks;
  private final int requestsPerSecond;
  private final int requestBurst;
  private final int authTimeoutMs;
  private final int maxQueuedBytes;
  private final Map<String, Object> limits = new LinkedHashMap<>();
  private volatile MediaHandler mediaHandler = (connection, frame) ->
      connection.sendError(null, ErrorCode.FORBIDDEN, "this server does not accept media frames");
  private volatile boolean accepting = true;
  /** Upgrades accepted by {@link #handleHandshake} and not yet registered by {@link #handleSocket}. */
  private final java.util.concurrent.atomic.AtomicInteger upgrading = new java.util.concurrent.atomic.AtomicInteger();

  /** Who may call an op. */
  public enum Access {
    /** Also before authentication (e.g. {@code auth}, {@code ping}, guest {@code join}). */
    ANYONE,
    /** Only after {@code auth} (or a guest join). */
    AUTHENTICATED
  }

  private record Registration(OpHandler handler, Access access) {}

  public SocketGateway(Vertx vertx, Config config, TokenService tokens, Metrics metrics) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.metrics = metrics;
    this.maxTextBytes = config.get(Settings.WS_MAX_TEXT_BYTES);
    this.maxMediaBytes = config.get(Settings.WS_MAX_MEDIA_BYTES);
    int writeQueueBytes = config.get(Settings.WS_WRITE_QUEUE_BYTES);
    this.writeQueueMarks = new WriteBufferWaterMark(writeQueueBytes / 2, writeQueueBytes);
    this.requestsPerSecond = config.get(Settings.WS_REQUESTS_PER_SECOND);
    this.requestBurst = config.get(Settings.WS_REQUEST_BURST);
    this.authTimeoutMs = config.get(Settings.WS_AUTH_TIMEOUT_MS);
    this.maxQueuedBytes = config.get(Settings.LIVE_MAX_QUEUED_BYTES);
    limit("maxTextBytes", maxTextBytes);
    limit("maxMediaBytes", maxMediaBytes);
    limit("requestsPerSecond", requestsPerSecond);
    limit("requestBurst", requestBurst);
    limit("authTimeoutMs", authTimeoutMs);
    register(Ops.PING, Access.ANYONE, (c, r) -> Future.succeededFuture(Map.of("time", System.currentTimeMillis())));
    register(Ops.AUTH, Access.ANYONE, this::auth);
  }

  /** Registers an op handler. Call before the server starts. */
  public void register(String op, Access access, OpHandler handler) {
    if (ops.putIfAbsent(op, new Registration(handler, access)) != null) {
      throw new IllegalStateException("op registered twice: " + op);
    }
  }

  /** Sets the handler for binary media frames. Call before the server starts. */
  public void mediaHandler(MediaHandler handler) {
    this.mediaHandler = handler;
  }

  /** Announces a limit in every hello (e.g. {@code maxChatLength}). Call before the server starts. */
  public void limit(String name, Object value) {
    limits.put(name, value);
  }

  /** @return the largest WebSocket frame the HTTP server must accept */
  public int maxFrameBytes() {
    return Math.max(maxTextBytes, maxMediaBytes);
  }

  /** @return the open connections (a live view; for tests) */
  Set<ClientConnection> connections() {
    return java.util.Collections.unmodifiableSet(connections);
  }

  /** @return the number of open connections */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * Handshake handler for the HTTP server: accepts upgrades on {@code /ws} only, and none while
   * shutting down.
   */
  public void handleHandshake(ServerWebSocketHandshake handshake) {
    if (!Protocol.WS_PATH.equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    // Counted before accepting is read, so shutdown either refuses this upgrade or waits for it.
    upgrading.incrementAndGet();
    if (!accepting) {
      upgrading.decrementAndGet();
      handshake.reject(503);
      return;
    }
    handshake.accept().onFailure(e -> upgrading.decrementAndGet());
  }

  /**
   * @return true when no socket is open and no upgrade is between its handshake and
   *     {@link #handleSocket} (what a graceful shutdown waits for)
   */
  public boolean drained() {
    return connections.isEmpty() && upgrading.get() <= 0;
  }

  /**
   * WebSocket handler for the HTTP server: called on the socket's event loop once the upgrade
   * succeeded, in the same task as the handshake (so no frame has been read yet). Takes the channel
   * over from Vert.x: Vert.x's handler is replaced by a {@link SocketHandler}, after which the
   * {@code ServerWebSocket} and Vert.x's connection objects are not used or referenced again.
   */
  public void handleSocket(ServerWebSocket ws) {
    String token = new QueryStringDecoder(ws.uri()).parameters()
        .getOrDefault(Protocol.TOKEN_PARAM, java.util.List.of()).stream().findFirst().orElse(null);
    ChannelHandlerContext vertxCtx = ((WebSocketInternal) ws).channelHandlerContext();
    Channel channel = vertxCtx.channel();
    SocketHandler reader = new SocketHandler(this, maxFrameBytes());
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandler vertxHandler = pipeline.replace(vertxCtx.name(), "dropcast-socket", reader);
    // Vert.x will not see this channel again: let its connection do its close bookkeeping now (its
    // HTTP server metrics count the socket as disconnected; no handler of ours is set on it).
    if (vertxHandler instanceof VertxHandler<?> vertxConnection) {
      vertxConnection.channelInactive(vertxCtx);
    }
    // Vert.x adds it for file responses; nothing writes chunked input to a socket.
    if (pipeline.get(ChunkedWriteHandler.class) != null) {
      pipeline.remove(ChunkedWriteHandler.class);
    }
    ChannelHandlerContext ctx = pipeline.context(reader);
    channel.config().setWriteBufferWaterMark(writeQueueMarks);
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    accept(channel, ctx, reader, token);
  }

  private void accept(Channel channel, ChannelHandlerContext ctx, SocketHandler reader, String token) {
    // The event loop's own context, not the upgrade request's duplicate: one object fewer per socket.
    ContextInternal context = ((ContextInternal) vertx.getOrCreateContext()).unwrap();
    ClientConnection connection = new ClientConnection(Ids.newId("con"), ctx, reader, context,
        new TokenBucket(requestsPerSecond, requestBurst), maxQueuedBytes, metrics::replyOverflow);
    reader.connection(connection);
    connections.add(connection);
    upgrading.decrementAndGet();
    metrics.connectionOpened();
    if (!channel.isActive()) {
      // Closed during the upgrade: channelInactive has passed already.
      closed(connection);
      return;
    }
    if (!accepting) {
      // Upgraded just before shutdown() stopped accepting, but registered after it closed the others
      // (accepting is read after the add above, so one of the two always sees the other).
      connection.close(Protocol.CLOSE_GOING_AWAY, "server shutting down");
      return;
    }

    if (token != null && !token.isEmpty()) {
      try {
        connection.identity(tokens.verify(token));
      } catch (ProtocolException e) {
        connection.send(Reply.failure(null, e.code(), e.getMessage()));
        connection.close(Protocol.CLOSE_UNAUTHORIZED, e.getMessage());
        return;
      }
    }
    Identity identity = connection.identity();
    connection.send(new Hello(Protocol.VERSION, SERVER_NAME, connection.id(),
        identity == null ? null : identity.toUserInfo(), limits));
    if (identity == null) {
      connection.authTimer(context.setTimer(authTimeoutMs, t -> {
        if (connection.isOpen() && connection.identity() == null) {
          connection.close(Protocol.CLOSE_UNAUTHORIZED, "not authenticated in time");
        }
      }));
    }
  }

  /** Called by the {@link SocketHandler} once, when the channel has closed. */
  void closed(ClientConnection connection) {
    if (connections.remove(connection)) {
      metrics.connectionClosed();
    }
    connection.handleClosed();
  }

  /**
   * A fragmented message grew past the message limit ({@link #maxFrameBytes()}): close with 1009
   * as for a single oversized frame, so the client learns why.
   */
  void messageTooLarge(ClientConnection connection) {
    metrics.request("unknown", ErrorCode.TOO_LARGE.name());
    connection.close(Protocol.CLOSE_TOO_BIG, "message exceeds " + maxFrameBytes() + " bytes");
  }

  /** The {@link SocketHandler} closed the socket for a frame Netty could not decode, with {@code code}. */
  void frameRejected(ClientConnection connection, int code) {
    metrics.request("unknown",
        code == Protocol.CLOSE_TOO_BIG ? ErrorCode.TOO_LARGE.name() : ErrorCode.BAD_REQUEST.name());
  }

  /** A complete text message (the connection's loop). */
  void onText(ClientConnection connection, String text) {
    // Every text frame costs one token, valid or not, so garbage cannot be sent faster than requests.
    boolean withinBudget = connection.takeRequestBudget();
    if (text.length() > maxTextBytes || (text.length() > maxTextBytes / 3
        && text.getBytes(StandardCharsets.UTF_8).length > maxTextBytes)) {
      metrics.request("unknown", ErrorCode.TOO_LARGE.name());
      connection.sendError(null, ErrorCode.TOO_LARGE, "request frame exceeds " + maxTextBytes + " bytes");
      return;
    }
    JsonNode node = null;
    Request request;
    try {
      node = JsonCodec.parse(text);
      request = JsonCodec.decodeRequest(node);
    } catch (ProtocolException e) {
      metrics.request("unknown", e.code().name());
      connection.sendError(JsonCodec.idOf(node), e.code(), e.getMessage());
      return;
    }
    Registration registration = ops.get(request.op());
    String opLabel = registration == null ? "unknown" : request.op();
    if (!withinBudget) {
      answer(connection, request, opLabel, Future.failedFuture(
          new ProtocolException(ErrorCode.RATE_LIMITED, "too many requests; at most " + requestsPerSecond + " per second")));
      return;
    }
    if (connection.identity() == null && (registration == null || registration.access() == Access.AUTHENTICATED)) {
      answer(connection, request, opLabel, Future.failedFuture(
          new ProtocolException(ErrorCode.UNAUTHORIZED, "authenticate first (op 'auth' or a token in the URL)")));
      return;
    }
    if (registration == null) {
      answer(connection, request, opLabel, Future.failedFuture(
          new ProtocolException(ErrorCode.BAD_REQUEST, "unknown op '" + request.op() + "'")));
      return;
    }
    Future<?> result;
    try {
      result = registration.handler().handle(connection, request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    if (result == null) {
      result = Future.failedFuture(new IllegalStateException("handler of op " + request.op() + " returned null"));
    }
    answer(connection, request, opLabel, result);
  }

  private void answer(ClientConnection connection, Request request, String opLabel, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.request(opLabel, Metrics.OK);
        connection.send(Reply.success(request.id(), ar.result()));
      } else if (ar.cause() instanceof ProtocolException pe) {
        metrics.request(opLabel, pe.code().name());
        connection.send(Reply.failure(request.id(), pe.code(), pe.getMessage()));
      } else {
        LOG.error("op {} failed on {}", request.op(), connection.id(), ar.cause());
        metrics.request(opLabel, ErrorCode.INTERNAL.name());
        connection.send(Reply.failure(request.id(), ErrorCode.INTERNAL, "internal error"));
      }
    });
  }

  /** A complete binary message (the connection's loop); {@code frame} is only valid during the call. */
  void onBinary(ClientConnection connection, ByteBuf frame) {
    if (frame.readableBytes() > maxMediaBytes) {
      connection.sendError(null, ErrorCode.TOO_LARGE, "media frame exceeds " + maxMediaBytes + " bytes");
      return;
    }
    try {
      mediaHandler.onMedia(connection, frame);
    } catch (ProtocolException e) {
      connection.sendError(null, e.code(), e.getMessage());
    }
  }

  private Future<?> auth(ClientConnection connection, Request request) {
    JsonNode token = request.data().get("token");
    if (token == null || !token.isTextual()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.BAD_REQUEST, "field 'token' must be a string"));
    }
    Identity identity = tokens.verify(token.asText());
    Identity current = connection.identity();
    if (current != null && !(current.userId().equals(identity.userId()) && identity.brandId().equals(current.brandId()))) {
      return Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT,
          "this connection is already authenticated as another user; open a new connection"));
    }
    connection.identity(identity);
    return Future.succeededFuture(identity.toUserInfo());
  }

  /**
   * Stops accepting and closes every socket with {@code 1001 going away}.
   *
   * @return completes when every close has been sent
   */
  public Future<Void> shutdown() {
    accepting = false;
    for (ClientConnection c : connections) {
      c.context().runOnContext(v -> c.close(Protocol.CLOSE_GOING_AWAY, "server shutting down"));
    }
    return Future.succeededFuture();
  }
}
