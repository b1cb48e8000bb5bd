package io.dropcast.server.sale;

import java.time.Instant;

/**
 * A confirmed purchase: what a confirmed reservation becomes. Immutable.
 *
 * @param id {@code ord_…}
 * @param brandId brand
 * @param showId show of the sale; may be null
 * @param saleId sale
 * @param productId product
 * @param buyerId buyer user id
 * @param reservationId the confirmed reservation
 * @param quantity units
 * @param unitPriceMinor sale price per unit
 * @param totalMinor quantity × unit price
 * @param currency ISO 4217 code
 * @param createdAt confirmation time
 */
public record Order(String id, String brandId, String showId, String saleId, String productId, String buyerId,
                    String reservationId, int quantity, long unitPriceMinor, long totalMinor, String currency,
                    Instant createdAt) {}
