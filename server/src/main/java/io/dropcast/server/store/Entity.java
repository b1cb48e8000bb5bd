package io.dropcast.server.store;

/**
 * A stored object owned by one brand. Implementations are immutable records.
 */
public interface Entity {
  /** @return the globally unique id (prefixed, e.g. {@code prd_…}) */
  String id();

  /** @return the owning brand's id; for a brand itself, its own id */
  String brandId();

  /**
   * @return a key that must be unique among all entities of this type (e.g. brand + SKU), or null
   *     when the type has none
   */
  default String uniqueKey() {
    return null;
  }
}
