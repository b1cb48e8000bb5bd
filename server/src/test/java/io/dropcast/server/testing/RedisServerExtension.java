package io.dropcast.server.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis for a test class: starts its own {@code redis-server --port <free> --save "" --appendonly no}
 * on 127.0.0.1 before the class and stops it after, or uses {@code REDIS_URL} when that environment
 * variable is set (then it is neither started nor stopped). It never touches port 6379 unless
 * {@code REDIS_URL} says so.
 *
 * <p>Register with {@code @RegisterExtension static RedisServerExtension redis = new RedisServerExtension();}.
 * {@link #owned()} forces a private server even when {@code REDIS_URL} is set: use it for tests that
 * stop and restart Redis ({@link #ownedPersistent()} keeps the data across the restart). Not thread-safe: call {@link #stop()}/{@link #start()} from the test thread.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final boolean forceOwned;
  private final String externalUrl;
  private int port;
  private Process process;
  private java.nio.file.Path dataDir;

  public RedisServerExtension() {
    this(false);
  }

  private RedisServerExtension(boolean forceOwned) {
    this.forceOwned = forceOwned;
    String env = System.getenv("REDIS_URL");
    this.externalUrl = forceOwned || env == null || env.isBlank() ? null : env.trim();
  }

  /** @return an extension that always runs its own redis-server (restartable) */
  public static RedisServerExtension owned() {
    return new RedisServerExtension(true);
  }

  /**
   * @return an owned server that keeps its data across {@link #restart()} (append-only file, fsync
   *     always, in a private temporary directory), like a production Redis that restarts
   */
  public static RedisServerExtension ownedPersistent() {
    RedisServerExtension ext = new RedisServerExtension(true);
    try {
      ext.dataDir = java.nio.file.Files.createTempDirectory("redis-test-data");
      ext.dataDir.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return ext;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (externalUrl == null) {
      port = freePort();
      start();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
    if (dataDir != null) {
      try (var files = java.nio.file.Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // best effort: a temporary directory
      }
    }
  }

  /** @return the Redis URI to connect to, e.g. {@code redis://127.0.0.1:41234} */
  /**
   * Opens {@link io.dropcast.server.store.redis.RedisStores} on this server and waits (up to 10 s)
   * until it answers PING. The caller closes it.
   */
  public io.dropcast.server.store.redis.RedisStores connectStores(io.vertx.core.Vertx vertx) throws InterruptedException {
    io.dropcast.server.store.redis.RedisStores stores =
        new io.dropcast.server.store.redis.RedisStores(vertx, url(), java.time.Duration.ofSeconds(2));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!stores.connector().isConnected() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Await.await(stores.ping());
    return stores;
  }

  public String url() {
    return externalUrl != null ? externalUrl : "redis://127.0.0.1:" + port;
  }

  /** Starts (again) the owned server on the same port and waits until it answers PING. */
  public void start() throws IOException, InterruptedException {
    requireOwned();
    if (process != null && process.isAlive()) {
      return;
    }
    File log = File.createTempFile("redis-test-" + port + "-", ".log");
    log.deleteOnExit();
    List<String> command = dataDir == null
        ? List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir"))
        : List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dataDir.toString());
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited at start (port " + port + "); see " + log);
      }
      if (answersPing()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("redis-server did not answer on port " + port + " within 10 s");
  }

  /** Stops the owned server (SIGTERM; it keeps no data) and waits for it to exit. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops and starts the owned server: every key and loaded script is gone afterwards. */
  public void restart() throws IOException, InterruptedException {
    stop();
    start();
  }

  private void requireOwned() {
    if (externalUrl != null) {
      throw new IllegalStateException("REDIS_URL is set: this extension does not control that server");
    }
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, 7);
      return n == 7 && new String(buf, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
