package io.dropcast.server.pin;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * The products pinned in one show (at most {@code max}, oldest first).
 *
 * <p>Threading: confined to the show room's thread; not thread-safe.
 */
public final class ProductPins {
  private final int max;
  private final List<ProductPin> pins = new ArrayList<>();

  public ProductPins(int max) {
    this.max = max;
  }

  /** @return true when the product is pinned */
  public boolean contains(String productId) {
    return pins.stream().anyMatch(p -> p.productId().equals(productId));
  }

  /** @throws ProtocolException CONFLICT when {@code max} products are already pinned */
  public void checkRoom() {
    if (pins.size() >= max) {
      throw new ProtocolException(ErrorCode.CONFLICT,
          "at most " + max + " products can be pinned at once; unpin one first");
    }
  }

  /** Adds a pin (re-checks the limit). */
  public void add(ProductPin pin) {
    checkRoom();
    pins.add(pin);
  }

  /** @throws ProtocolException NOT_FOUND when the product is not pinned */
  public void remove(String productId) {
    if (!pins.removeIf(p -> p.productId().equals(productId))) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "product " + productId + " is not pinned");
    }
  }

  /** Replaces the pins with a list another node published (replication). */
  public void replace(List<ProductPin> list) {
    pins.clear();
    pins.addAll(list);
  }

  /** @return the pins, oldest first (a copy, safe to publish) */
  public List<ProductPin> list() {
    return List.copyOf(pins);
  }
}
