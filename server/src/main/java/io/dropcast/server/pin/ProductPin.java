package io.dropcast.server.pin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dropcast.server.catalog.Product;

/**
 * A product card pinned in a show, as sent to clients. Immutable.
 *
 * @param productId {@code prd_…}
 * @param title product title
 * @param priceMinor price in minor units
 * @param currency ISO 4217 code
 * @param imageUrl image URL; null when the product has none
 * @param mediaTimestamp timestamp (µs) of the last media frame the host had sent when the pin was made,
 *     so clients can show the card in sync with the video; null when no media had been sent yet
 * @param pinnedAt server time of the pin, epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ProductPin(String productId, String title, long priceMinor, String currency, String imageUrl,
                         Long mediaTimestamp, long pinnedAt) {

  /** @return the card of a product pinned now */
  public static ProductPin of(Product p, Long mediaTimestamp, long nowMillis) {
    return new ProductPin(p.id(), p.title(), p.priceMinor(), p.currency(), p.imageUrl(), mediaTimestamp, nowMillis);
  }
}
