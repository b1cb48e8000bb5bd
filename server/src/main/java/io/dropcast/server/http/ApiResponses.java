package io.dropcast.server.http;

import io.dropcast.protocol.JsonCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes REST responses: JSON bodies encoded with the shared {@link JsonCodec} mapper (records,
 * ISO-8601 timestamps), lists wrapped as {@code {"items":[…]}}, and asynchronous handlers whose
 * failures go to the router's failure handler ({@link ApiErrors}).
 *
 * <p>Handlers run on the request's event loop; they must not block.
 */
public final class ApiResponses {
  private ApiResponses() {}

  /**
   * Adapts an asynchronous handler: its result is sent as JSON with {@code status} (for 204 no body is
   * sent); a thrown exception or a failed future fails the context.
   */
  public static Handler<RoutingContext> respond(int status, Function<RoutingContext, Future<?>> handler) {
    return ctx -> {
      Future<?> result;
      try {
        result = handler.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      result.onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (status == 204) {
          ctx.response().setStatusCode(204).end();
        } else {
          json(ctx, status, ar.result());
        }
      });
    };
  }

  /** Sends {@code body} as JSON. */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(Buffer.buffer(JsonCodec.encode(body)));
  }

  /** @return the list wrapper {@code {"items": items}} */
  public static Map<String, List<?>> items(List<?> items) {
    return Map.of("items", items);
  }
}
