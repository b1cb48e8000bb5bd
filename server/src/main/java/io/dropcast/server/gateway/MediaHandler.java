package io.dropcast.server.gateway;

import io.netty.buffer.ByteBuf;

/**
 * Receives binary (media) frames. Called on the connection's event loop; must not block. The buffer
 * (the frame's payload, straight from Netty's WebSocket decoder) is only valid during the call and
 * still owned by the caller: copy what must outlive it, and do not release it.
 */
@FunctionalInterface
public interface MediaHandler {
  void onMedia(ClientConnection connection, ByteBuf frame);
}
