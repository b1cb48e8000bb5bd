package io.dropcast.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis Sentinel deployment for a test class: a master, one replica of it, and two
 * {@code redis-server --sentinel} processes that monitor the master as {@value #MASTER_NAME}
 * (quorum 1, down after 1 s), all on free ports of 127.0.0.1 with their files in a private temporary
 * directory. {@link #killMaster()} kills the master (SIGKILL) and {@link #awaitFailover} waits until
 * the Sentinels name the replica as the new master. Nothing keeps data on disk.
 *
 * <p>Register with {@code @RegisterExtension static RedisSentinelExtension sentinel = new RedisSentinelExtension();}.
 * Not thread-safe: use it from the test thread. Start-up takes 1–3 s (the Sentinels must discover
 * the replica and each other before a failover can be authorised).
 */
public final class RedisSentinelExtension implements BeforeAllCallback, AfterAllCallback {
  public static final String MASTER_NAME = "dropcast-test";
  private static final long START_TIMEOUT_MS = 20_000;

  private final List<Process> processes = new ArrayList<>();
  private Path dir;
  private int masterPort;
  private int replicaPort;
  private final List<Integer> sentinelPorts = new ArrayList<>();
  private Process master;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("redis-sentinel-test");
    try {
      start();
    } catch (Exception | AssertionError e) {
      String logs = RedisProcesses.logTails(dir, 15);
      afterAll(context);
      throw new IllegalStateException("Redis Sentinel did not start: " + e.getMessage() + "\n" + logs, e);
    }
  }

  private void start() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    List<Integer> ports = RedisProcesses.freePorts(4);
    masterPort = ports.get(0);
    replicaPort = ports.get(1);
    master = startServer(masterPort, List.of());
    startServer(replicaPort, List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
    RedisProcesses.awaitReply(null, replicaPort, "master_link_status:up", deadline, "INFO", "replication");
    for (int port : ports.subList(2, 4)) {
      sentinelPorts.add(port);
      Path conf = dir.resolve("sentinel-" + port + ".conf");
      Files.writeString(conf, String.join("\n",
          "port " + port,
          "bind 127.0.0.1",
          "dir " + dir,
          "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 1",
          "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
          "sentinel failover-timeout " + MASTER_NAME + " 5000",
          "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
      processes.add(new ProcessBuilder("redis-server", conf.toString(), "--sentinel").redirectErrorStream(true)
          .redirectOutput(dir.resolve("sentinel-" + port + ".log").toFile()).start());
    }
    for (int port : sentinelPorts) {
      // A failover needs the replica known and a majority of the Sentinels (here both) in touch.
      RedisProcesses.awaitReply(null, port, "num-slaves\n1", deadline, "SENTINEL", "MASTER", MASTER_NAME);
      RedisProcesses.awaitReply(null, port, "num-other-sentinels\n1", deadline, "SENTINEL", "MASTER", MASTER_NAME);
    }
  }

  private Process startServer(int port, List<String> extra) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString()));
    command.addAll(extra);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
    processes.add(p);
    RedisProcesses.awaitReply(p, port, "PONG", System.currentTimeMillis() + 10_000, "PING");
    return p;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RedisProcesses.stopAll(processes);
    processes.clear();
    RedisProcesses.deleteTree(dir);
  }

  /**
   * @return {@code redis.url} for the standalone client through the Sentinels, in Lettuce's form
   *     {@code redis-sentinel://host:port,host:port?sentinelMasterId=name}
   */
  public String url() {
    return "redis-sentinel://" + sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))
        + "?sentinelMasterId=" + MASTER_NAME;
  }

  /** @return the port of the server the Sentinels name as master now */
  public int currentMasterPort() {
    String reply = RedisProcesses.command(sentinelPorts.get(0), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
    return Integer.parseInt(reply.split("\n")[1].trim());
  }

  /** @return the replica's port (the master after a failover) */
  public int replicaPort() {
    return replicaPort;
  }

  /** @return the first master's port */
  public int masterPort() {
    return masterPort;
  }

  /**
   * Waits until the replica has every write the master acknowledged (WAIT 1), so a failover after it
   * loses nothing; fails when the replica does not catch up within 5 s.
   */
  public void awaitReplicated() {
    String acked = RedisProcesses.command(masterPort, "WAIT", "1", "5000");
    if (!"1".equals(acked)) {
      throw new IllegalStateException("the replica did not acknowledge the master's writes: " + acked);
    }
  }

  /** Kills the master (SIGKILL), as a crashed machine would stop; the Sentinels fail over after ~1 s. */
  public void killMaster() throws InterruptedException {
    master.destroyForcibly().waitFor();
  }

  /** Waits until the Sentinels name the replica as master (up to {@code timeoutMs}). */
  public void awaitFailover(long timeoutMs) throws InterruptedException {
    RedisProcesses.awaitReply(null, sentinelPorts.get(0), "\n" + replicaPort, System.currentTimeMillis() + timeoutMs,
        "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
    RedisProcesses.awaitReply(null, replicaPort, "role:master", System.currentTimeMillis() + timeoutMs, "INFO", "replication");
  }
}
