package io.dropcast.load;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private {@code redis-server} for one benchmark run (no persistence), on its own port, pinned
 * beside the server under test. Never the machine's shared Redis on 6379.
 */
public final class RedisProcess implements AutoCloseable {
  private final Process process;
  private final String host;
  private final int port;

  private RedisProcess(Process process, String host, int port) {
    this.process = process;
    this.host = host;
    this.port = port;
  }

  /**
   * @param port its port
   * @param cpus taskset cpu list, or null
   * @param net where it runs: on the server's address, in the server's network namespace if any
   */
  public static RedisProcess start(int port, String cpus, NetSplit net) throws IOException, InterruptedException {
    String host = net.serverHost();
    List<String> command = new ArrayList<>(net.commandPrefix());
    if (cpus != null && Files.isExecutable(Path.of("/usr/bin/taskset"))) {
      command.addAll(List.of("/usr/bin/taskset", "-c", cpus));
    }
    command.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", host,
        "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir")));
    if (net.commandPrefix().isEmpty()) {
      probeFree(port);
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("redis-server exited at start (exit " + p.exitValue() + ") on port " + port);
      }
      try (Socket s = new Socket(host, port)) {
        return new RedisProcess(p, host, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException("redis-server did not start on port " + port);
  }

  /** Fails when the port is taken on loopback (a fresh network namespace has nothing on it). */
  private static void probeFree(int port) throws IOException {
    try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException inUse) {
      // Another benchmark's Redis (or anything else) there: never measure or verify someone else's server.
      throw new IOException("port " + port + " is in use; pass redisPort=<free port>", inUse);
    }
  }

  public String url() {
    return "redis://" + host + ":" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** @return CPU seconds used by redis-server */
  public double cpuSeconds() throws IOException {
    return ServerProcess.cpuSecondsOf(process.pid());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
