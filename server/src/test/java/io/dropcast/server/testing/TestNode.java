package io.dropcast.server.testing;

import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.config.Config;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Dropcast node for a test: started on a free port with a known admin key and token secret,
 * driven over real sockets ({@link #rest()} for HTTP, {@link #connect(String)} for the WebSocket).
 * Close it in {@code @AfterAll}/{@code @AfterEach}.
 */
public final class TestNode implements AutoCloseable {
  public static final String ADMIN_KEY = "test-admin-key-0123456789";
  public static final String TOKEN_SECRET = "test-token-secret-0123456789-0123456789";

  private final DropcastServer server;
  private final Rest rest;

  private TestNode(DropcastServer server) {
    this.server = server;
    this.rest = new Rest(URI.create("http://127.0.0.1:" + server.port()));
  }

  /** Starts a node with the in-memory store and the given setting overrides. */
  public static TestNode start(Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>();
    settings.put("port", "0");
    settings.put("host", "127.0.0.1");
    settings.put("admin.key", ADMIN_KEY);
    settings.put("token.secret", TOKEN_SECRET);
    settings.put("shutdown.grace-ms", "200");
    settings.putAll(overrides);
    try {
      return new TestNode(DropcastServer.start(Config.of(settings)).toCompletionStage().toCompletableFuture()
          .get(20, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("node did not start: " + e, e);
    }
  }

  public static TestNode start() {
    return start(Map.of());
  }

  /** @return the running server (for reading its clock, metrics or config; drive it over sockets) */
  public DropcastServer server() {
    return server;
  }

  public int port() {
    return server.port();
  }

  /** @return an HTTP client rooted at this node */
  public Rest rest() {
    return rest;
  }

  /** @return {@code ws://127.0.0.1:port} */
  public URI wsBase() {
    return URI.create("ws://127.0.0.1:" + server.port());
  }

  /** Connects a socket client (token may be null) and waits for the hello. */
  public DropcastClient connect(String token) {
    try {
      return DropcastClient.connect(wsBase(), token).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot connect: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop: " + e, e);
    }
  }
}
