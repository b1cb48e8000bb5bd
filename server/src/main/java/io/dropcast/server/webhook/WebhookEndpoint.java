package io.dropcast.server.webhook;

import io.dropcast.server.store.Entity;
import java.time.Instant;

/**
 * A brand's webhook endpoint (one per brand). Immutable.
 *
 * @param id {@code whk_<brandId>}
 * @param brandId owning brand
 * @param url http(s) URL that receives POSTs
 * @param secret Standard Webhooks secret {@code whsec_<base64 key>}
 * @param createdAt creation time
 * @param updatedAt last change
 */
public record WebhookEndpoint(String id, String brandId, String url, String secret, Instant createdAt, Instant updatedAt)
    implements Entity {

  /** @return the endpoint id for a brand */
  public static String idFor(String brandId) {
    return "whk_" + brandId;
  }
}
