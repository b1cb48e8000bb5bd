package io.dropcast.server.catalog;

import io.dropcast.server.store.Entity;
import java.time.Instant;

/**
 * A product in a brand's catalog. Immutable.
 *
 * @param id {@code prd_…}
 * @param brandId owning brand
 * @param sku brand-chosen stock-keeping unit, unique within the brand
 * @param title short title shown on product cards
 * @param description longer text; may be empty
 * @param imageUrl http(s) URL of the product image; may be null
 * @param priceMinor price in minor units (cents)
 * @param currency ISO 4217 code, e.g. {@code EUR}
 * @param createdAt creation time
 * @param updatedAt last change
 */
public record Product(String id, String brandId, String sku, String title, String description, String imageUrl,
                      long priceMinor, String currency, Instant createdAt, Instant updatedAt) implements Entity {
  @Override
  public String uniqueKey() {
    return brandId + "\u0000" + sku;
  }
}
