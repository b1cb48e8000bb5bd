package io.dropcast.load.scenario;

import io.dropcast.load.BenchContext;
import io.dropcast.load.Fixture;
import io.dropcast.load.LoadSockets;
import io.dropcast.load.Params;
import io.dropcast.load.PerfProfile;
import io.dropcast.load.Scenario;
import io.dropcast.load.ScenarioResult;
import io.dropcast.load.ServerProcess;
import io.dropcast.protocol.media.MediaFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * media: a host sends a synthetic stream (default 2.5 Mbit/s, 30 fps, a keyframe every 2 s) to N
 * viewers, some of which stop reading (slow). Measures egress bits/s per server core, server-added
 * latency as the server times it (a frame read from the host → flushed to the kernel for a viewer,
 * per delivery: {@code dropcast_media_relay_latency_seconds}) and end to end as the generator sees
 * it (frame timestamps are the host's {@code System.nanoTime()/1000}, same JVM as the viewers; this
 * includes the generator's own queue when its one core is saturated), frames dropped for slow viewers,
 * and a late joiner's time to its first keyframe. The stream runs {@code warmup} seconds before the
 * measured window opens, so the window times the relay compiled, not the JIT compiling it.
 */
public final class MediaScenario implements Scenario {
  private static final String RELAY_LATENCY = "dropcast_media_relay_latency_seconds";

  @Override
  public String name() {
    return "media";
  }

  @Override
  public Map<String, String> shortParams() {
    return Map.of("viewers", "600", "duration", "20", "slow", "30");
  }

  @Override
  public Map<String, String> smokeParams() {
    return Map.of("viewers", "20", "duration", "3", "slow", "2", "warmup", "1");
  }

  @Override
  public ScenarioResult run(BenchContext ctx, Params p) throws Exception {
    int viewers = p.integer("viewers", 600);
    int slow = p.integer("slow", viewers / 20);
    int duration = p.integer("duration", 20);
    int fps = p.integer("fps", 30);
    double mbps = p.decimal("mbps", 2.5);
    int gopSeconds = p.integer("gop", 2);
    int port = p.integer("port", 18402);
    int warmup = p.integer("warmup", 3);
    int framesPerGop = fps * gopSeconds;
    // keyframe = 5 deltas; bytes per GOP = bitrate * gop seconds
    int delta = (int) (mbps * 1e6 / 8 * gopSeconds / (framesPerGop - 1 + 5));
    int key = 5 * delta;
    ScenarioResult result = new ScenarioResult(name()).parameter("viewers", viewers).parameter("slow", slow)
        .parameter("duration", duration).parameter("warmup", warmup).parameter("fps", fps).parameter("mbps", mbps).parameter("gopSeconds", gopSeconds);
    try (ServerProcess server = ctx.startServer(port, LiveSettings.forBenchmarks())) {
      Fixture brand = Fixture.create(server, "Media bench");
      String product = brand.product("MED-1", 1000);
      String host = "host-media";
      String show = brand.show(host, List.of(product));
      String hostToken = brand.token("host", show, host);
      String join = "{\"id\":\"j\",\"op\":\"join\",\"show\":\"" + show + "\"}";
      LongAdder fastBytes = new LongAdder();
      LongAdder fastFrames = new LongAdder();
      Recorder latency = new Recorder(3);
      AtomicInteger joined = new AtomicInteger();
      try (LoadSockets sockets = ctx.sockets(4 << 20)) {
        WebSocket hostWs = sockets.open(port, 1, 1, i -> hostToken, (i, f) -> { }, null,
            (i, ws) -> ws.writeTextMessage(join)).get(30, TimeUnit.SECONDS).get(0);
        Thread.sleep(300);
        hostWs.writeTextMessage("{\"id\":\"go\",\"op\":\"show.start\",\"show\":\"" + show + "\"}");
        List<WebSocket> all = sockets.open(port, viewers, 128, null, (i, frame) -> {
          if (isJoinReply(frame)) {
            joined.incrementAndGet();
          }
        }, (i, frame) -> {
          fastBytes.add(frame.length());
          fastFrames.increment();
          if (i % 5 == 0 && frame.length() >= MediaFrame.HEADER_SIZE && frame.getByte(1) != 0) {
            long ts = frame.getLong(4);
            latency.recordValue(Math.max(0, System.nanoTime() / 1000 - ts));
          }
        }, (i, ws) -> ws.writeTextMessage(join)).get(120, TimeUnit.SECONDS);
        while (joined.get() < viewers) {
          Thread.sleep(200);
        }
        // slow viewers: stop reading entirely
        for (int i = 0; i < slow; i++) {
          all.get(all.size() - 1 - i).pause();
        }
        Buffer keyPayload = Buffer.buffer(new byte[key]);
        Buffer deltaPayload = Buffer.buffer(new byte[delta]);
        byte[] config = "{\"codec\":\"avc1.42E01F\",\"codedWidth\":1280,\"codedHeight\":720}".getBytes(StandardCharsets.UTF_8);
        hostWs.writeBinaryMessage(Buffer.buffer(new MediaFrame(MediaFrame.Kind.CONFIG, 0, MediaFrame.TrackType.VIDEO, 0, 0, config).encode()));
        AtomicLong frameNo = new AtomicLong();
        long frameNanos = 1_000_000_000L / fps;
        long streamStart = System.nanoTime();
        long timer = ctx.vertx().setPeriodic(5, id -> {
          long due = (System.nanoTime() - streamStart) / frameNanos;
          while (frameNo.get() < due && frameNo.get() < (long) fps * (warmup + duration)) {
            long n = frameNo.getAndIncrement();
            boolean isKey = n % framesPerGop == 0;
            Buffer frame = Buffer.buffer(MediaFrame.HEADER_SIZE + (isKey ? key : delta));
            frame.appendByte((byte) MediaFrame.VERSION).appendByte((byte) (isKey ? 1 : 2)).appendByte((byte) 0)
                .appendByte((byte) 0).appendLong(System.nanoTime() / 1000).appendInt((int) (frameNanos / 1000))
                .appendBuffer(isKey ? keyPayload : deltaPayload);
            hostWs.writeBinaryMessage(frame);
          }
        });
        // Warm-up: the stream runs `warmup` seconds before the measured window, so the window measures the
        // relay compiled rather than the JIT compiling it (on one core the compiler threads delay the relay).
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        latency.getIntervalHistogram();
        var relayBefore = server.histogram(RELAY_LATENCY);
        double cpu0 = server.cpuSeconds();
        long b0 = fastBytes.sum();
        long frames0 = frameNo.get();
        long start = System.nanoTime();
        PerfProfile profile = PerfProfile.start(p.text("profile", ""), server);
        // a late joiner half-way through: time from join to its first keyframe
        Thread.sleep(TimeUnit.SECONDS.toMillis(duration) / 2);
        AtomicLong firstKeyAt = new AtomicLong();
        AtomicLong firstKindSeen = new AtomicLong(-1);
        long lateJoinAt = System.nanoTime();
        sockets.open(port, 1, 1, null, (i, f) -> { }, (i, frame) -> {
          if (firstKindSeen.get() < 0) {
            firstKindSeen.set(frame.getByte(1));
          }
          if (frame.getByte(1) == 1 && firstKeyAt.get() == 0) {
            firstKeyAt.set(System.nanoTime());
          }
        }, (i, ws) -> ws.writeTextMessage(join)).get(10, TimeUnit.SECONDS);
        long last = b0;
        for (int s = duration / 2 + 1; s <= duration; s++) {
          Thread.sleep(1000);
          long now = fastBytes.sum();
          result.throughputSample(s, (now - last) * 8 / 1e6);
          BenchContext.progress(name(), "t=%ds egress(read by viewers)=%.0f Mbit/s", s, (now - last) * 8 / 1e6);
          last = now;
        }
        ctx.vertx().cancelTimer(timer);
        Thread.sleep(500);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = server.cpuSeconds() - cpu0;
        if (profile != null) {
          profile.stopInto(result);
        }
        double bits = (fastBytes.sum() - b0) * 8.0;
        double bitsPerSecond = bits / seconds;
        double coresUsed = cpu / seconds;
        double perCore = bits / Math.max(0.01, cpu);
        var histogram = latency.getIntervalHistogram();
        // The server's own timing over the stream: frame read from the host → flushed to the kernel
        // for each viewer (every 8th sampled; upper bounds of the histogram's buckets).
        var relayAfter = server.histogram(RELAY_LATENCY);
        double relayP50 = ServerProcess.quantile(relayBefore, relayAfter, 0.50) * 1000;
        double relayP99 = ServerProcess.quantile(relayBefore, relayAfter, 0.99) * 1000;
        double relayP999 = ServerProcess.quantile(relayBefore, relayAfter, 0.999) * 1000;
        result.latency("host send → viewer receive (generator-measured)", histogram);
        result.throughputUnit("Mbit/s read by viewers");
        double firstKeyMs = firstKeyAt.get() == 0 ? -1 : (firstKeyAt.get() - lateJoinAt) / 1e6;
        result.figure("frames sent (measured window; warm-up before it)", frameNo.get() - frames0 + " (" + frames0 + ")")
            .figure("frame sizes key/delta (bytes)", key + "/" + delta)
            .figure("egress bits/s (read by viewers)", bitsPerSecond)
            .figure("server cores used", coresUsed)
            .figure("egress bits per server-CPU-second", perCore)
            .figure("server-added p50 ms (server: read → flushed, bucket bound)", relayP50)
            .figure("server-added p99 ms (server: read → flushed, bucket bound)", relayP99)
            .figure("server-added p999 ms (server: read → flushed, bucket bound)", relayP999)
            .figure("host send → viewer receive p50 ms (generator-measured)", histogram.getValueAtPercentile(50) / 1000.0)
            .figure("host send → viewer receive p99 ms (generator-measured)", histogram.getValueAtPercentile(99) / 1000.0)
            .figure("late joiner first frame kind (0=config,1=key,2=delta)", firstKindSeen.get())
            .figure("late joiner time to first keyframe ms", firstKeyMs)
            .target("egress per server core", perCore / 1e9, ">=", 1.5, "Gbit/s")
            .target("server-added p99", Double.isNaN(relayP99) ? 1e9 : relayP99, "<=", 5, "ms")
            .target("late joiner first keyframe", firstKeyMs < 0 ? 1e9 : firstKeyMs, "<=", gopSeconds * 1000.0, "ms");
        LiveSettings.serverMediaFigures(server, result);
      }
    }
    return result;
  }

  private static boolean isJoinReply(Buffer frame) {
    return frame.length() < 8192 && frame.toString(StandardCharsets.UTF_8).contains("\"id\":\"j\"");
  }
}
