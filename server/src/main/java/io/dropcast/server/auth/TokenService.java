package io.dropcast.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints and verifies the signed tokens (JWT, HS256) that authenticate socket users.
 *
 * <p>Claims: {@code iss=dropcast}, {@code sub} user id, {@code name}, {@code role}, {@code brand},
 * {@code show} (optional for viewers), {@code iat}, {@code exp}. Verification accepts only
 * {@code alg=HS256}, compares signatures in constant time and rejects expired tokens.
 *
 * <p>Thread-safe: a {@link Mac} per thread. CPU-only (one HMAC), so safe on an event loop.
 */
public final class TokenService {
  private static final String HEADER = base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;
  private final ThreadLocal<Mac> macs;

  /** @param secret HMAC secret, at least 32 bytes */
  public TokenService(String secret, Clock clock) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalArgumentException("token secret must be at least 32 bytes");
    }
    this.key = new SecretKeySpec(bytes, "HmacSHA256");
    this.clock = clock;
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Signs a token for the identity, valid for {@code ttl}. */
  public String mint(Identity identity, Duration ttl) {
    Instant now = clock.instant();
    ObjectNode claims = JsonCodec.mapper().createObjectNode()
        .put("iss", "dropcast")
        .put("sub", identity.userId())
        .put("name", identity.name())
        .put("role", identity.role().wireName())
        .put("brand", identity.brandId())
        .put("iat", now.getEpochSecond())
        .put("exp", now.plus(ttl).getEpochSecond());
    if (identity.showId() != null) {
      claims.put("show", identity.showId());
    }
    String payload = base64Url(JsonCodec.encode(claims));
    String signingInput = HEADER + "." + payload;
    return signingInput + "." + base64Url(sign(signingInput));
  }

  /**
   * Verifies a token.
   *
   * @return the identity it names
   * @throws ProtocolException UNAUTHORIZED when malformed, forged, of another algorithm or expired
   */
  public Identity verify(String token) {
    if (token == null || token.length() > 4096) {
      throw unauthorized("token missing or too long");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw unauthorized("token is not a JWT");
    }
    JsonNode header = decodeJson(parts[0]);
    if (!"HS256".equals(header.path("alg").asText())) {
      throw unauthorized("token algorithm must be HS256");
    }
    byte[] signature;
    try {
      signature = DECODER.decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw unauthorized("token signature is not base64url");
    }
    if (!MessageDigest.isEqual(signature, sign(parts[0] + "." + parts[1]))) {
      throw unauthorized("token signature is invalid");
    }
    JsonNode claims = decodeJson(parts[1]);
    long exp = claims.path("exp").asLong(0);
    if (exp <= clock.instant().getEpochSecond()) {
      throw unauthorized("token expired");
    }
    Role role = Role.fromWire(claims.path("role").asText(null));
    String sub = claims.path("sub").asText("");
    String brand = claims.path("brand").asText("");
    if (role == null || role == Role.GUEST || sub.isEmpty() || brand.isEmpty()) {
      throw unauthorized("token claims are incomplete");
    }
    String show = claims.hasNonNull("show") ? claims.get("show").asText() : null;
    if (show == null && role != Role.VIEWER) {
      throw unauthorized("host and moderator tokens must name a show");
    }
    return new Identity(sub, claims.path("name").asText(sub), role, brand, show, Instant.ofEpochSecond(exp));
  }

  private byte[] sign(String signingInput) {
    return macs.get().doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
  }

  private static JsonNode decodeJson(String part) {
    try {
      JsonNode node = JsonCodec.parse(DECODER.decode(part));
      if (!node.isObject()) {
        throw unauthorized("token is malformed");
      }
      return node;
    } catch (IllegalArgumentException | ProtocolException e) {
      throw unauthorized("token is malformed");
    }
  }

  private static ProtocolException unauthorized(String message) {
    return new ProtocolException(ErrorCode.UNAUTHORIZED, message);
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
