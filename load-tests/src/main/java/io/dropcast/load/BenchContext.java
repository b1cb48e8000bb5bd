package io.dropcast.load;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What every scenario shares: the server jar, the generator's Vert.x, where the server runs and how
 * the generator reaches it.
 *
 * @param jar server fat jar
 * @param vertx the generator's Vert.x (its event loops carry all client connections)
 * @param serverCpus taskset cpu list for the server process, or null not to pin
 * @param heap server heap size
 * @param net loopback, or the server in its own network namespace ({@code net=veth})
 */
public record BenchContext(Path jar, Vertx vertx, String serverCpus, String heap, NetSplit net) {

  /** Starts a fresh server process for one scenario, with extra settings. */
  public ServerProcess startServer(int port, Map<String, String> settings) throws Exception {
    ServerProcess server = ServerProcess.start(jar, port, serverCpus, heap, settings, net);
    progress("server", "pid %d on cpus %s, transport %s, at %s (net=%s)", server.pid(), server.cpusAllowed(),
        server.transport(), server.baseUrl(), net.mode());
    return server;
  }

  /** Starts a private redis-server beside the server (same cores, same network). */
  public RedisProcess startRedis(int port) throws Exception {
    return startRedis(port, null);
  }

  /**
   * Starts a private redis-server.
   *
   * @param cpus taskset cpu list for it; null for the server's cores
   */
  public RedisProcess startRedis(int port, String cpus) throws Exception {
    return RedisProcess.start(port, cpus != null ? cpus : serverCpus, net);
  }

  /** @return client sockets reaching the server from the generator's source addresses */
  public LoadSockets sockets(int maxFrameBytes) {
    return new LoadSockets(vertx, net.serverHost(), net.clientAddresses(), maxFrameBytes);
  }

  /** Prints one progress line. */
  public static void progress(String scenario, String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%s] %s%n", scenario, String.format(Locale.ROOT, format, args));
  }
}
