package io.dropcast.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Opens many WebSocket connections to the server under test, spread over several source addresses
 * (127.0.0.2, .3, … on loopback; the generator's end of the veth pair with {@code net=veth}) so their
 * count is not capped by one address's ephemeral ports.
 *
 * <p>Threading: connections live on the generator's Vert.x event loops; handlers passed in run there
 * and must be cheap (count, sample, never parse every message at full rate). Connects are throttled
 * to a bounded number in flight.
 */
public final class LoadSockets implements AutoCloseable {
  private final Vertx vertx;
  private final String host;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<WebSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * @param vertx the generator's Vert.x
   * @param host the server's address
   * @param sourceAddresses the generator's source addresses, used in turn
   * @param maxFrameBytes largest frame a client accepts
   */
  public LoadSockets(Vertx vertx, String host, List<String> sourceAddresses, int maxFrameBytes) {
    this.vertx = vertx;
    this.host = host;
    for (String source : sourceAddresses) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
          .setLocalAddress(source)
          .setMaxConnections(Integer.MAX_VALUE)
          .setMaxFrameSize(maxFrameBytes)
          .setMaxMessageSize(maxFrameBytes)
          .setTcpNoDelay(true)
          .setConnectTimeout(20_000)));
    }
  }

  /**
   * Opens {@code count} connections to {@code ws://<host>:port/ws?token=…}, at most
   * {@code inFlight} connecting at once.
   *
   * @param tokenFor token for connection i, or null for a guest
   * @param onText text-frame handler (connection index, frame)
   * @param onBinary binary-frame handler (connection index, frame), may be null
   * @param onOpen called with each connection index once open (e.g. to send a join)
   * @return completes when all are open, failing on the first connect error
   */
  public CompletableFuture<List<WebSocket>> open(int port, int count, int inFlight,
                                                 java.util.function.IntFunction<String> tokenFor,
                                                 BiConsumer<Integer, Buffer> onText, BiConsumer<Integer, Buffer> onBinary,
                                                 BiConsumer<Integer, WebSocket> onOpen) {
    CompletableFuture<List<WebSocket>> done = new CompletableFuture<>();
    WebSocket[] opened = new WebSocket[count];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Consumer<Void>[] launch = new Consumer[1];
    launch[0] = v -> {
      int i = next.getAndIncrement();
      if (i >= count || done.isDone()) {
        return;
      }
      String token = tokenFor == null ? null : tokenFor.apply(i);
      String uri = "/ws" + (token == null ? "" : "?token=" + token);
      WebSocketClient client = clients.get(i % clients.size());
      Future<WebSocket> f = client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri));
      f.onSuccess(ws -> {
        opened[i] = ws;
        sockets.add(ws);
        ws.frameHandler(frame -> {
          if (frame.isText()) {
            onText.accept(i, frame.binaryData());
          } else if (frame.isBinary() && onBinary != null) {
            onBinary.accept(i, frame.binaryData());
          }
        });
        if (onOpen != null) {
          onOpen.accept(i, ws);
        }
        if (finished.incrementAndGet() == count) {
          done.complete(java.util.Arrays.asList(opened));
        } else {
          launch[0].accept(null);
        }
      }).onFailure(done::completeExceptionally);
    };
    vertx.runOnContext(v -> {
      for (int k = 0; k < Math.min(inFlight, count); k++) {
        launch[0].accept(null);
      }
    });
    return done;
  }

  /** @return number of open sockets */
  public int size() {
    return sockets.size();
  }

  @Override
  public void close() {
    List<WebSocket> copy;
    synchronized (sockets) {
      copy = new ArrayList<>(sockets);
      sockets.clear();
    }
    copy.forEach(ws -> ws.close());
    clients.forEach(WebSocketClient::close);
  }
}
