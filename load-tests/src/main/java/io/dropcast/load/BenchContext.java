package io.dropcast.load;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What every scenario shares: the server jar, the generator's Vert.x, and where the server runs.
 *
 * @param jar server fat jar
 * @param vertx the generator's Vert.x (its event loops carry all client connections)
 * @param serverCpus taskset cpu list for the server process, or null not to pin
 * @param heap server heap size
 */
public record BenchContext(Path jar, Vertx vertx, String serverCpus, String heap) {

  /** Starts a fresh server process for one scenario, with extra settings. */
  public ServerProcess startServer(int port, Map<String, String> settings) throws Exception {
    ServerProcess server = ServerProcess.start(jar, port, serverCpus, heap, settings);
    progress("server", "pid %d on cpus %s, transport %s", server.pid(), server.cpusAllowed(), server.transport());
    return server;
  }

  /** Prints one progress line. */
  public static void progress(String scenario, String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%s] %s%n", scenario, String.format(Locale.ROOT, format, args));
  }
}
