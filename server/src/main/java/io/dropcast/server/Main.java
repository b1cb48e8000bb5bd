package io.dropcast.server;

import io.dropcast.server.config.Config;
import io.dropcast.server.config.ConfigException;
import io.dropcast.server.config.Settings;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command-line entry point: loads the configuration, starts a node, stops it on SIGTERM/SIGINT. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    Config config;
    try {
      config = Config.load();
    } catch (ConfigException e) {
      System.err.println("dropcast: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch started = new CountDownLatch(1);
    DropcastServer[] holder = new DropcastServer[1];
    Throwable[] failure = new Throwable[1];
    DropcastServer.start(config)
        .onComplete(ar -> {
          if (ar.failed()) {
            failure[0] = ar.cause();
          } else {
            holder[0] = ar.result();
          }
          started.countDown();
        });
    started.await();
    if (failure[0] != null) {
      System.err.println("dropcast: failed to start: " + failure[0].getMessage());
      LOG.debug("start failure", failure[0]);
      System.exit(1);
      return;
    }
    DropcastServer server = holder[0];
    LOG.info("Dropcast listening on port {} (store={})", server.port(), config.get(Settings.STORE));
    if (config.get(Settings.ADMIN_KEY).isEmpty()) {
      LOG.info("Admin key (generated for this run): {}", server.adminKey());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down");
      CountDownLatch stopped = new CountDownLatch(1);
      server.close().onComplete(ar -> stopped.countDown());
      try {
        stopped.await(config.get(Settings.SHUTDOWN_GRACE_MS) + 5000L, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "dropcast-shutdown"));
  }
}
