package io.dropcast.server.testing;

import io.dropcast.server.store.redis.RedisConnector;
import io.dropcast.server.store.redis.RedisStores;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    List<Integer> busPorts = RedisProcesses.freePorts(2 * NODES);
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
      RedisProcesses.awaitReply(processes.get(i), ports.get(i), "PONG", deadline, "PING");
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
    for (int i = 0; i < NODES; i++) {
      RedisProcesses.awaitReply(processes.get(i), ports.get(i), "cluster_state:ok", deadline, "CLUSTER", "INFO");
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RedisProcesses.stopAll(processes);
    processes.clear();
    RedisProcesses.deleteTree(dir);
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
    String info = RedisProcesses.tryCommand(port, "CLUSTER", "INFO");
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
    return RedisProcesses.command(port, args);
  }

  private String logs() {
    return RedisProcesses.logTails(dir, 15);
  }
}
