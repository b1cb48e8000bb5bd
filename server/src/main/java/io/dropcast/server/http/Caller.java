package io.dropcast.server.http;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling the REST API: the admin, or one brand through its API key. Set on the routing
 * context by {@link ApiAuth}.
 *
 * @param admin true for the admin key
 * @param brandId the brand of the API key; null for the admin
 */
public record Caller(boolean admin, String brandId) {
  static final String KEY = "dropcast.caller";

  /** @return the caller, or throws UNAUTHORIZED */
  public static Caller of(RoutingContext ctx) {
    Caller caller = ctx.get(KEY);
    if (caller == null) {
      throw new ProtocolException(ErrorCode.UNAUTHORIZED, "missing credentials");
    }
    return caller;
  }

  /** @return the calling brand's id; FORBIDDEN for the admin key */
  public static String brand(RoutingContext ctx) {
    Caller caller = of(ctx);
    if (caller.admin()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "this route needs a brand API key, not the admin key");
    }
    return caller.brandId();
  }

  /** Throws FORBIDDEN unless the caller is the admin. */
  public static void requireAdmin(RoutingContext ctx) {
    if (!of(ctx).admin()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "this route needs the admin key");
    }
  }
}
