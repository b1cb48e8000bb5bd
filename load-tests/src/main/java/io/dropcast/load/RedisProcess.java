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
  private final int port;

  private RedisProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static RedisProcess start(int port, String cpus) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (cpus != null && Files.isExecutable(Path.of("/usr/bin/taskset"))) {
      command.addAll(List.of("/usr/bin/taskset", "-c", cpus));
    }
    command.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir")));
    try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException inUse) {
      // Another benchmark's Redis (or anything else) there: never measure or verify someone else's server.
      throw new IOException("port " + port + " is in use; pass redisPort=<free port>", inUse);
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("redis-server exited at start (exit " + p.exitValue() + ") on port " + port);
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return new RedisProcess(p, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException("redis-server did not start on port " + port);
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
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
