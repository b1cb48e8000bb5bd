package io.dropcast.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the OpenAPI 3.1 document ({@code openapi.yaml} on the classpath) at
 * {@code GET /api/v1/openapi.yaml}, without authentication.
 *
 * <p>The document is read once, when the instance is created (at start-up, before any event loop
 * serves requests); requests then only write the cached bytes.
 */
public final class OpenApiDoc {
  /** Path the document is served at. */
  public static final String PATH = "/api/v1/openapi.yaml";

  private final Buffer yaml;

  public OpenApiDoc() {
    try (InputStream in = OpenApiDoc.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the classpath");
      }
      yaml = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mounts the route; call before the authenticated {@code /api/v1} sub-router. */
  public void mount(Router router) {
    router.get(PATH).handler(ctx -> ctx.response()
        .putHeader("content-type", "application/yaml; charset=utf-8")
        .end(yaml));
  }
}
