package io.dropcast.server.brand;

import io.dropcast.server.store.Entity;
import java.time.Instant;

/**
 * A brand (tenant): owns products, shows, sales, API keys and tokens. Immutable.
 *
 * @param id {@code brd_…}
 * @param name display name
 * @param createdAt creation time
 */
public record Brand(String id, String name, Instant createdAt) implements Entity {
  @Override
  public String brandId() {
    return id;
  }
}
