package io.dropcast.server.http;

import io.vertx.ext.web.Router;

/**
 * A feature's REST routes under {@code /api/v1}. The router it receives already parses bodies,
 * authenticates the {@link Caller} and turns failures into JSON errors; handlers fail the context
 * with a {@link io.dropcast.protocol.ProtocolException} to answer an error.
 */
public interface ApiModule {
  void mount(Router api);
}
