package io.dropcast.server.http;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.ops.Metrics;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every REST failure into {@code {"error":{"code":"…","message":"…"}}} with the HTTP status
 * of its {@link ErrorCode}, the same codes as the socket protocol. Unexpected exceptions become
 * {@code INTERNAL} (logged, details not leaked).
 */
public final class ApiErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private final Metrics metrics;

  public ApiErrors(Metrics metrics) {
    this.metrics = metrics;
  }

  /** Router failure handler. */
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ErrorCode code;
    String message;
    if (failure instanceof ProtocolException pe) {
      code = pe.code();
      message = pe.getMessage();
    } else if (failure instanceof DecodeException || failure instanceof IllegalArgumentException) {
      code = ErrorCode.BAD_REQUEST;
      message = "request body is not valid JSON";
    } else if (failure instanceof HttpException he) {
      code = fromStatus(he.getStatusCode());
      message = he.getPayload() != null ? he.getPayload() : defaultMessage(code);
    } else if (failure == null) {
      code = fromStatus(ctx.statusCode());
      message = defaultMessage(code);
    } else {
      LOG.error("REST {} {} failed", ctx.request().method(), ctx.request().path(), failure);
      code = ErrorCode.INTERNAL;
      message = "internal error";
    }
    send(ctx, code, message);
  }

  /** Writes an error response (if the response has not started). */
  public void send(RoutingContext ctx, ErrorCode code, String message) {
    metrics.restError(code);
    if (ctx.response().headWritten() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(code.httpStatus())
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", code.name()).put("message", message)).encode());
  }

  static ErrorCode fromStatus(int status) {
    return switch (status) {
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 405, 400, 415 -> ErrorCode.BAD_REQUEST;
      case 409 -> ErrorCode.CONFLICT;
      case 413 -> ErrorCode.TOO_LARGE;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> ErrorCode.INTERNAL;
    };
  }

  private static String defaultMessage(ErrorCode code) {
    return switch (code) {
      case NOT_FOUND -> "no such resource";
      case TOO_LARGE -> "request body too large";
      case BAD_REQUEST -> "bad request";
      case UNAUTHORIZED -> "missing or invalid credentials";
      default -> code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    };
  }
}
