package io.dropcast.server.brand;

import io.dropcast.server.store.Entity;
import java.time.Instant;

/**
 * A brand API key. Only the SHA-256 of the secret is stored; the secret itself is shown once, when
 * the key is issued. Immutable.
 *
 * @param id public key id {@code key_…}, used to list and revoke keys
 * @param brandId owning brand
 * @param secretHash hex SHA-256 of the secret (the unique key, so a secret finds its key)
 * @param prefix the first characters of the secret, shown in listings so people can tell keys apart
 * @param createdAt issue time
 */
public record ApiKey(String id, String brandId, String secretHash, String prefix, Instant createdAt) implements Entity {
  @Override
  public String uniqueKey() {
    return secretHash;
  }
}
