package io.dropcast.server.testing;

import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.vertx.core.Vertx;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real 3-master Redis Cluster for a test class: before the class it starts three
 * {@code redis-server --cluster-enabled yes} on free client and bus ports of 127.0.0.1 (own temporary
 * directory for {@code nodes.conf} and logs, {@code --save ""}, {@code --appendonly no}), joins them
 * with {@code redis-cli --cluster create … --cluster-replicas 0 --cluster-yes}, and waits until every
 * node reports {@code cluster_state:ok}; after the class it stops them and deletes the directory.
 * Needs {@code redis-server} and {@code redis-cli} (7.0+, for {@code cluster-port}) on PATH. Typical
 * start-up takes 1–3 s.
 *
 * <p>Register with {@code @RegisterExtension static RedisClusterExtension cluster = new RedisClusterExtension();}.
 * Not thread-safe: use it from the test thread.
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback {
  private static final int NODES = 3;
  private static final long START_TIMEOUT_MS = 20_000;

  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private Path dir;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("redis-cluster-test");
    try {
      start();
    } catch (Exception | AssertionError e) {
      String logs = logs();
      afterAll(context);
      throw new IllegalStateException("Redis Cluster did not start: " + e.getMessage() + "\n" + logs, e);
    }
  }

  private void start() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    List<Integer> busPorts = freePorts(2 * NODES);
    for (int i = 0; i < NODES; i++) {
      int port = busPorts.get(2 * i);
      int busPort = busPorts.get(2 * i + 1);
      ports.add(port);
      List<String> command = List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--cluster-enabled", "yes", "--cluster-port", Integer.toString(busPort),
          "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
          "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--dir", dir.toString());
      processes.add(new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start());
    }
    for (int i = 0; i < NODES; i++) {
      while (!"PONG".equals(tryCommand(ports.get(i), "PING"))) {
        if (!processes.get(i).isAlive()) {
          throw new IllegalStateException("redis-server on port " + ports.get(i) + " exited at start");
        }
        checkDeadline(deadline, "node " + ports.get(i) + " to answer PING");
        Thread.sleep(20);
      }
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(p -> create.add("127.0.0.1:" + p));
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Path createLog = dir.resolve("cluster-create.log");
    Process cli = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(createLog.toFile()).start();
    if (!cli.waitFor(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
      cli.destroyForcibly();
      throw new IllegalStateException("redis-cli --cluster create did not finish");
    }
    if (cli.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create failed (exit " + cli.exitValue() + ")");
    }
    for (int port : ports) {
      while (!clusterInfo(port).contains("cluster_state:ok")) {
        checkDeadline(deadline, "node " + port + " to report cluster_state:ok");
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // best effort: a temporary directory
      }
    }
  }

  /** @return the seed URIs for {@code redis.url} with {@code redis.mode=cluster}, comma-separated */
  public String url() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** @return the client ports of the three masters */
  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /**
   * Opens {@link RedisStores} in cluster mode on this cluster and waits (up to 10 s) until it answers
   * PING. The caller closes it.
   */
  public RedisStores connectStores(Vertx vertx) throws InterruptedException {
    RedisStores stores = new RedisStores(vertx, RedisConnector.Mode.CLUSTER, url(), Duration.ofSeconds(2));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!stores.connector().isConnected() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Await.await(stores.ping());
    return stores;
  }

  /** @return the {@code CLUSTER INFO} text of the node on {@code port} */
  public String clusterInfo(int port) {
    String info = tryCommand(port, "CLUSTER", "INFO");
    return info == null ? "" : info;
  }

  /** @return the number of keys each master holds, in {@link #ports()} order */
  public List<Long> keysPerNode() {
    List<Long> counts = new ArrayList<>();
    for (int port : ports) {
      counts.add(Long.parseLong(command(port, "DBSIZE")));
    }
    return counts;
  }

  /** @return the client port of the master that owns {@code key}'s hash slot (from {@code CLUSTER NODES}) */
  public int nodeOf(String key) {
    long slot = Long.parseLong(command(ports.get(0), "CLUSTER", "KEYSLOT", key));
    // Lines: <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges…>
    for (String line : command(ports.get(0), "CLUSTER", "NODES").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 9 || !f[2].contains("master")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        String[] range = f[i].split("-");
        if (range[0].startsWith("[")) {
          continue; // a slot being migrated
        }
        long from = Long.parseLong(range[0]);
        long to = range.length > 1 ? Long.parseLong(range[1]) : from;
        if (slot >= from && slot <= to) {
          String address = f[1].substring(0, f[1].indexOf('@'));
          return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
      }
    }
    throw new IllegalStateException("no master owns slot " + slot);
  }

  /** Runs one command on one node and returns its reply as text; fails on an error reply. */
  public String command(int port, String... args) {
    String reply = tryCommand(port, args);
    if (reply == null) {
      throw new IllegalStateException("node " + port + " did not answer " + String.join(" ", args));
    }
    return reply;
  }

  /** @return the reply as text (simple, integer or bulk string; error replies as their text), or null on I/O failure */
  private static String tryCommand(int port, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      int type = in.read();
      String line = readLine(in);
      return switch (type) {
        case '+', ':', '-' -> line;
        case '$' -> {
          int length = Integer.parseInt(line);
          if (length < 0) {
            yield "";
          }
          byte[] body = in.readNBytes(length);
          yield new String(body, StandardCharsets.UTF_8);
        }
        default -> throw new IOException("unexpected reply type " + type);
      };
    } catch (IOException e) {
      return null;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\r') {
      line.write(b);
    }
    in.read(); // '\n'
    return line.toString(StandardCharsets.UTF_8);
  }

  private static void checkDeadline(long deadline, String what) {
    if (System.currentTimeMillis() > deadline) {
      throw new IllegalStateException("timed out waiting for " + what);
    }
  }

  private String logs() {
    if (dir == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        text.append("--- ").append(log.getFileName()).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
      }
    } catch (IOException e) {
      text.append("(logs unreadable: ").append(e.getMessage()).append(')');
    }
    return text.toString();
  }

  /** Free ports whose numbers differ (each bound and released; a race with other processes is unlikely). */
  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        socket.setReuseAddress(true);
        sockets.add(socket);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
