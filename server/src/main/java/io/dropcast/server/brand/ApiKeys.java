package io.dropcast.server.brand;

import io.dropcast.server.store.Stores;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** Issues brand API keys. Only the hash is stored; the secret is returned once. */
public final class ApiKeys {
  /** Prefix of every brand API key secret. */
  public static final String SECRET_PREFIX = "dck_";

  private ApiKeys() {}

  /** A freshly issued key: the stored record and its secret (shown once). */
  public record Issued(ApiKey key, String secret) {}

  /** Issues a new key for a brand. */
  public static Future<Issued> issue(Stores stores, String brandId) {
    String secret = SECRET_PREFIX + Ids.random(40);
    ApiKey key = new ApiKey(Ids.newId("key"), brandId, hash(secret), secret.substring(0, 8), Instant.now());
    return stores.apiKeys().create(key).map(k -> new Issued(k, secret));
  }

  /** @return hex SHA-256 of a secret */
  public static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
