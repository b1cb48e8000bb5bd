package io.dropcast.server.gateway;

import io.dropcast.protocol.message.Request;
import io.vertx.core.Future;

/**
 * Handles one socket operation. Called on the connection's event loop; must not block.
 *
 * <p>The returned future's value becomes the reply's {@code data} (may be null); a failure with a
 * {@link io.dropcast.protocol.ProtocolException} becomes an error reply with its code, any other
 * failure an {@code INTERNAL} error. The gateway sends exactly one reply per request.
 */
@FunctionalInterface
public interface OpHandler {
  Future<?> handle(ClientConnection connection, Request request);
}
