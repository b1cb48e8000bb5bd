package io.dropcast.server.http;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.store.Stores;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Authenticates REST calls from {@code Authorization: Bearer <key>}: the admin key (compared in
 * constant time) or a brand API key (looked up by its SHA-256). Missing or unknown keys get
 * {@code UNAUTHORIZED}; routes then check the {@link Caller}'s rights.
 */
public final class ApiAuth {
  private final byte[] adminKey;
  private final Stores stores;

  public ApiAuth(String adminKey, Stores stores) {
    this.adminKey = adminKey.getBytes(StandardCharsets.UTF_8);
    this.stores = stores;
  }

  /** Router handler: sets the caller and continues, or fails with UNAUTHORIZED. */
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
      ctx.fail(new ProtocolException(ErrorCode.UNAUTHORIZED, "missing 'Authorization: Bearer <api key>' header"));
      return;
    }
    String key = header.substring(7).trim();
    if (MessageDigest.isEqual(adminKey, key.getBytes(StandardCharsets.UTF_8))) {
      ctx.put(Caller.KEY, new Caller(true, null));
      ctx.next();
      return;
    }
    stores.apiKeys().findByUniqueKey(ApiKeys.hash(key)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ctx.fail(new ProtocolException(ErrorCode.UNAUTHORIZED, "unknown or revoked API key"));
      } else {
        ctx.put(Caller.KEY, new Caller(false, ar.result().brandId()));
        ctx.next();
      }
    });
  }
}
