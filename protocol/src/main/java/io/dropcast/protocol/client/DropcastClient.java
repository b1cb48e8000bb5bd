package io.dropcast.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.Protocol;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.media.MediaFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A small Dropcast client on the JDK's {@link java.net.http.WebSocket}: connect, send requests and
 * await their replies, receive events and media frames.
 *
 * <p>Thread-safety: all methods may be called from any thread; sends are serialised internally, as
 * the JDK WebSocket allows one outstanding send at a time. Received events and media are queued in
 * unbounded queues for the caller to poll (this client is for tests, tools and the load generator;
 * a production client would bound them) and also handed to optional listeners on the JDK's
 * receiving thread, which must not block.
 *
 * <p>Reading can be paused with {@link #pauseReading()} to simulate a slow viewer: the client then
 * stops requesting frames from the socket, so the server sees TCP backpressure.
 */
public final class DropcastClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<MediaFrame> media = new LinkedBlockingQueue<>();
  private final CompletableFuture<JsonNode> hello = new CompletableFuture<>();
  private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final Map<String, Long> lastSeqs = new ConcurrentHashMap<>();
  private final Object sendLock = new Object();
  private CompletableFuture<WebSocket> sendChain;
  private volatile Consumer<JsonNode> eventListener = e -> {};
  private volatile Consumer<MediaFrame> mediaListener = f -> {};
  private volatile WebSocket socket;

  /** How the connection ended. */
  public record CloseStatus(int code, String reason) {}

  private DropcastClient() {}

  /**
   * Opens a connection to {@code baseUri} (e.g. {@code ws://127.0.0.1:8080}) with an optional token
   * and waits for the server's hello.
   *
   * @param token a signed token, or null to connect as an unauthenticated client
   */
  public static CompletableFuture<DropcastClient> connect(URI baseUri, String token) {
    DropcastClient client = new DropcastClient();
    String uri = baseUri.toString().replaceAll("/+$", "") + Protocol.WS_PATH;
    if (token != null) {
      uri += "?" + Protocol.TOKEN_PARAM + "=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }
    return HTTP.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(uri), client.new Listener())
        .thenCompose(ws -> {
          client.socket = ws;
          client.sendChain = CompletableFuture.completedFuture(ws);
          return client.hello.thenApply(h -> client);
        });
  }

  /** @return the server's hello message */
  public JsonNode hello() {
    return hello.getNow(null);
  }

  /**
   * Sends a request and completes with the reply's {@code data}, or exceptionally with a
   * {@link ProtocolException} carrying the reply's error code.
   *
   * @param show the show id, or null
   * @param data op arguments, or null
   */
  public CompletableFuture<JsonNode> request(String op, String show, Object data) {
    String id = "c" + ids.incrementAndGet();
    ObjectNode request = JsonCodec.mapper().createObjectNode();
    request.put("id", id).put("op", op);
    if (show != null) {
      request.put("show", show);
    }
    if (data != null) {
      request.set("data", JsonCodec.mapper().valueToTree(data));
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    sendText(JsonCodec.encodeToString(request)).exceptionally(e -> {
      pending.remove(id);
      reply.completeExceptionally(e);
      return null;
    });
    return reply;
  }

  /** Blocking convenience for tests: {@link #request} and wait up to 10 s. */
  public JsonNode call(String op, String show, Object data) {
    try {
      return request(op, show, data).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("no reply to " + op + ": " + e, e);
    }
  }

  /**
   * Joins a show and returns the snapshot (see docs/protocol-live.md). A connection is in at most
   * one show; joining another leaves the first.
   */
  public JsonNode join(String show) {
    JsonNode snapshot = call("join", show, null);
    if (snapshot != null && snapshot.path("seq").isIntegralNumber()) {
      lastSeqs.merge(show, snapshot.get("seq").asLong(), Math::max);
    }
    return snapshot;
  }

  /**
   * Re-joins a show after a reconnect: when {@code lastSeq} is still in the server's recovery
   * history the reply is {@code {"recovered":true,…}} and the missed events follow as events;
   * otherwise it is a fresh snapshot ({@code "recovered":false}).
   */
  public JsonNode rejoin(String show, long lastSeq) {
    return call("join", show, Map.of("lastSeq", lastSeq));
  }

  /** @return the highest event seq received for the show (from events and join replies), 0 if none */
  public long lastSeq(String show) {
    return lastSeqs.getOrDefault(show, 0L);
  }

  /** Sends raw text as one frame (for tests of malformed input). */
  public CompletableFuture<WebSocket> sendText(String text) {
    return chain(ws -> ws.sendText(text, true));
  }

  /** Sends raw bytes as one binary frame. */
  public CompletableFuture<WebSocket> sendBinary(byte[] bytes) {
    return chain(ws -> ws.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  /** Sends a media frame (hosts only). */
  public CompletableFuture<WebSocket> sendMedia(MediaFrame frame) {
    return sendBinary(frame.encode());
  }

  private CompletableFuture<WebSocket> chain(java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> send) {
    synchronized (sendLock) {
      CompletableFuture<WebSocket> next = sendChain.handle((ws, e) -> socket).thenCompose(send);
      sendChain = next;
      return next;
    }
  }

  /** @return the next event within the timeout, or null */
  public JsonNode pollEvent(long timeout, TimeUnit unit) throws InterruptedException {
    return events.poll(timeout, unit);
  }

  /**
   * Waits for the next event named {@code name}, discarding others.
   *
   * @return the event, or null when none arrived in time
   */
  public JsonNode awaitEvent(String name, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      JsonNode e = events.poll(left, TimeUnit.NANOSECONDS);
      if (e == null) {
        return null;
      }
      if (name.equals(e.path("event").asText())) {
        return e;
      }
    }
  }

  /** @return the queue of received events (type "event"), oldest first */
  public BlockingQueue<JsonNode> events() {
    return events;
  }

  /** @return the queue of received media frames, oldest first */
  public BlockingQueue<MediaFrame> media() {
    return media;
  }

  /** Registers a listener called on the receiving thread for each event; must not block. */
  public void onEvent(Consumer<JsonNode> listener) {
    this.eventListener = listener;
  }

  /** Registers a listener called on the receiving thread for each media frame; must not block. */
  public void onMedia(Consumer<MediaFrame> listener) {
    this.mediaListener = listener;
  }

  /** Stops reading from the socket (simulates a viewer that cannot keep up). */
  public void pauseReading() {
    paused.set(true);
  }

  /** Resumes reading after {@link #pauseReading()}. */
  public void resumeReading() {
    if (paused.compareAndSet(true, false) && socket != null) {
      socket.request(1);
    }
  }

  /** @return total bytes of frames received so far */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  /** @return completes when the server closes the connection */
  public CompletableFuture<CloseStatus> closed() {
    return closed;
  }

  @Override
  public void close() {
    WebSocket ws = socket;
    if (ws != null && !ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    if (ws != null) {
      ws.abort();
    }
  }

  private void dispatchText(String text) {
    JsonNode node;
    try {
      node = JsonCodec.parse(text);
    } catch (ProtocolException e) {
      return;
    }
    switch (node.path("type").asText()) {
      case "hello" -> hello.complete(node);
      case "reply" -> {
        CompletableFuture<JsonNode> reply = pending.remove(node.path("id").asText());
        if (reply != null) {
          if (node.path("ok").asBoolean()) {
            reply.complete(node.get("data"));
          } else {
            JsonNode error = node.path("error");
            ErrorCode code;
            try {
              code = ErrorCode.valueOf(error.path("code").asText());
            } catch (IllegalArgumentException unknown) {
              code = ErrorCode.INTERNAL;
            }
            reply.completeExceptionally(new ProtocolException(code, error.path("message").asText()));
          }
        } else {
          // A reply without a matching request (e.g. to a malformed frame) is kept as an event-like
          // message so tests can observe it.
          events.add(node);
        }
      }
      default -> {
        long seq = node.path("seq").asLong(0);
        if (seq > 0 && node.hasNonNull("show")) {
          lastSeqs.merge(node.get("show").asText(), seq, Math::max);
        }
        events.add(node);
        eventListener.accept(node);
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      bytesReceived.addAndGet(data.length());
      if (last) {
        String message = text.toString();
        text.setLength(0);
        dispatchText(message);
      }
      requestMore(webSocket);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      bytesReceived.addAndGet(data.remaining());
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      binary.writeBytes(chunk);
      if (last) {
        byte[] bytes = binary.toByteArray();
        binary.reset();
        try {
          MediaFrame frame = MediaFrame.decode(bytes);
          media.add(frame);
          mediaListener.accept(frame);
        } catch (ProtocolException ignored) {
          // not a media frame: ignore
        }
      }
      requestMore(webSocket);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new CloseStatus(statusCode, reason));
      failPending(new ProtocolException(ErrorCode.UNAVAILABLE, "connection closed: " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new CloseStatus(1006, String.valueOf(error)));
      hello.completeExceptionally(error);
      failPending(error);
    }

    private void requestMore(WebSocket webSocket) {
      if (!paused.get()) {
        webSocket.request(1);
      }
    }

    private void failPending(Throwable error) {
      hello.completeExceptionally(error);
      pending.values().forEach(f -> f.completeExceptionally(error));
      pending.clear();
    }
  }
}
