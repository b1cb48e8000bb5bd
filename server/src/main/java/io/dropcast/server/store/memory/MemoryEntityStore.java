package io.dropcast.server.store.memory;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.store.Entity;
import io.dropcast.server.store.EntityStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-process {@link EntityStore}: a map guarded by the store's monitor.
 *
 * <p>Thread-safe. Entities are immutable, so they are stored and returned without copying. Critical
 * sections are a few map operations, so holding the monitor on an event loop is fine.
 */
public final class MemoryEntityStore<T extends Entity> implements EntityStore<T> {
  private final String typeName;
  private final Map<String, T> byId = new LinkedHashMap<>();
  private final Map<String, String> idByUniqueKey = new HashMap<>();

  /** @param typeName used in error messages, e.g. "product" */
  public MemoryEntityStore(String typeName) {
    this.typeName = typeName;
  }

  @Override
  public synchronized Future<T> get(String id) {
    return Future.succeededFuture(byId.get(id));
  }

  @Override
  public synchronized Future<T> findByUniqueKey(String uniqueKey) {
    String id = idByUniqueKey.get(uniqueKey);
    return Future.succeededFuture(id == null ? null : byId.get(id));
  }

  @Override
  public synchronized Future<List<T>> listByBrand(String brandId) {
    List<T> result = new ArrayList<>();
    for (T entity : byId.values()) {
      if (entity.brandId().equals(brandId)) {
        result.add(entity);
      }
    }
    return Future.succeededFuture(result);
  }

  @Override
  public synchronized Future<List<T>> listAll() {
    return Future.succeededFuture(new ArrayList<>(byId.values()));
  }

  @Override
  public synchronized Future<T> create(T entity) {
    if (byId.containsKey(entity.id())) {
      return Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT, typeName + " " + entity.id() + " already exists"));
    }
    String key = entity.uniqueKey();
    if (key != null && idByUniqueKey.containsKey(key)) {
      return Future.failedFuture(conflict(key));
    }
    byId.put(entity.id(), entity);
    if (key != null) {
      idByUniqueKey.put(key, entity.id());
    }
    return Future.succeededFuture(entity);
  }

  @Override
  public synchronized Future<T> update(T entity) {
    T old = byId.get(entity.id());
    if (old == null) {
      return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, typeName + " " + entity.id() + " not found"));
    }
    String key = entity.uniqueKey();
    String holder = key == null ? null : idByUniqueKey.get(key);
    if (holder != null && !holder.equals(entity.id())) {
      return Future.failedFuture(conflict(key));
    }
    if (old.uniqueKey() != null) {
      idByUniqueKey.remove(old.uniqueKey());
    }
    if (key != null) {
      idByUniqueKey.put(key, entity.id());
    }
    byId.put(entity.id(), entity);
    return Future.succeededFuture(entity);
  }

  @Override
  public synchronized Future<Boolean> delete(String id) {
    T old = byId.remove(id);
    if (old != null && old.uniqueKey() != null) {
      idByUniqueKey.remove(old.uniqueKey());
    }
    return Future.succeededFuture(old != null);
  }

  private ProtocolException conflict(String key) {
    String shown = key.contains("\u0000") ? key.substring(key.indexOf('\u0000') + 1) : key;
    return new ProtocolException(ErrorCode.CONFLICT, "another " + typeName + " already uses '" + shown + "'");
  }
}
