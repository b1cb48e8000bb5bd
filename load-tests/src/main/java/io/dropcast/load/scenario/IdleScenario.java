package io.dropcast.load.scenario;

import io.dropcast.load.BenchContext;
import io.dropcast.load.Fixture;
import io.dropcast.load.LoadSockets;
import io.dropcast.load.Params;
import io.dropcast.load.Scenario;
import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * idle: N viewers join one show and stay silent. Measures the server's heap after a full GC and its
 * RSS, per connection, against the same figures before the viewers connected.
 */
public final class IdleScenario implements Scenario {
  @Override
  public String name() {
    return "idle";
  }

  @Override
  public Map<String, String> shortParams() {
    return Map.of("viewers", "10000");
  }

  @Override
  public Map<String, String> smokeParams() {
    return Map.of("viewers", "200");
  }

  @Override
  public ScenarioResult run(BenchContext ctx, Params p) throws Exception {
    int viewers = p.integer("viewers", 10000);
    int port = p.integer("port", 18400);
    ScenarioResult result = new ScenarioResult(name()).parameter("viewers", viewers);
    try (ServerProcess server = ctx.startServer(port, Map.of("DROPCAST_WS_AUTH_TIMEOUT_MS", "600000"))) {
      Fixture brand = Fixture.create(server, "Idle bench");
      String product = brand.product("IDLE-1", 1000);
      String show = brand.show("host-idle", List.of(product));
      long heapBefore = server.heapAfterGcBytes();
      long rssBefore = server.rssBytes();
      AtomicInteger joined = new AtomicInteger();
      try (LoadSockets sockets = ctx.sockets(1 << 16)) {
        long t0 = System.nanoTime();
        sockets.open(port, viewers, 256, null, (i, frame) -> {
          if (frame.length() < 4096 && frame.toString().contains("\"id\":\"j\"")) {
            joined.incrementAndGet();
          }
        }, null, (i, ws) -> ws.writeTextMessage("{\"id\":\"j\",\"op\":\"join\",\"show\":\"" + show + "\"}"))
            .get(300, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (joined.get() < viewers && System.nanoTime() < deadline) {
          BenchContext.progress(name(), "%d/%d joined", joined.get(), viewers);
          Thread.sleep(1000);
        }
        double connectSeconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(2000);
        long heapAfter = server.heapAfterGcBytes();
        long rssAfter = server.rssBytes();
        double heapPer = (heapAfter - heapBefore) / (double) viewers;
        double rssPer = (rssAfter - rssBefore) / (double) viewers;
        result.figure("viewers joined", joined.get())
            .figure("connect+join seconds", connectSeconds)
            .figure("heap after GC before (bytes)", heapBefore)
            .figure("heap after GC with viewers (bytes)", heapAfter)
            .figure("RSS before (bytes)", rssBefore)
            .figure("RSS with viewers (bytes)", rssAfter)
            .figure("heap per connection (bytes)", heapPer)
            .figure("RSS per connection (bytes)", rssPer)
            .target("heap per connection", heapPer / 1024, "<=", 4, "KB")
            .target("RSS per connection", rssPer / 1024, "<=", 16, "KB");
        BenchContext.progress(name(), "heap/conn %.0f B, RSS/conn %.0f B", heapPer, rssPer);
        int hold = p.integer("hold", 0);
        if (hold > 0) {
          BenchContext.progress(name(), "holding %d s for inspection: server pid %d", hold, server.pid());
          Thread.sleep(hold * 1000L);
        }
      }
    }
    return result;
  }
}
