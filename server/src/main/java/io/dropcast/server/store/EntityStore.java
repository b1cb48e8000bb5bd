package io.dropcast.server.store;

import io.vertx.core.Future;
import java.util.List;

/**
 * Asynchronous storage of one entity type, shared by all nodes.
 *
 * <p>Every method returns at once; results complete on the caller's context (the in-memory store
 * completes immediately, the Redis store when Redis answers). Failures are
 * {@link io.dropcast.protocol.ProtocolException}s: {@code CONFLICT} for a duplicate id or unique key,
 * {@code NOT_FOUND} for an update of a missing entity, {@code UNAVAILABLE} when the backing store
 * cannot be reached. A failed write changes nothing.
 *
 * @param <T> an immutable entity type
 */
public interface EntityStore<T extends Entity> {

  /** @return the entity, or null when there is none with this id */
  Future<T> get(String id);

  /** @return the entity holding this unique key, or null */
  Future<T> findByUniqueKey(String uniqueKey);

  /** @return all entities of a brand, oldest first */
  Future<List<T>> listByBrand(String brandId);

  /** @return every entity of this type, oldest first; meant for small admin-only collections (brands) */
  Future<List<T>> listAll();

  /** Stores a new entity; fails with CONFLICT when its id or unique key is taken. */
  Future<T> create(T entity);

  /** Replaces an existing entity; NOT_FOUND when missing, CONFLICT when the new unique key is taken. */
  Future<T> update(T entity);

  /** @return true when an entity was deleted, false when there was none */
  Future<Boolean> delete(String id);
}
