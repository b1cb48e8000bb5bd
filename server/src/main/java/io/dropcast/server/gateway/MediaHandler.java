package io.dropcast.server.gateway;

import io.vertx.core.buffer.Buffer;

/**
 * Receives binary (media) frames. Called on the connection's event loop; must not block. The buffer
 * is only valid during the call: retain or copy what must outlive it.
 */
@FunctionalInterface
public interface MediaHandler {
  void onMedia(ClientConnection connection, Buffer frame);
}
