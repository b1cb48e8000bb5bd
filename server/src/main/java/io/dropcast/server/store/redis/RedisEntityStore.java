package io.dropcast.server.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.store.Entity;
import io.dropcast.server.store.EntityStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link EntityStore} on Redis. Keys of one type share the hash tag {@code {type}}, so every script
 * touches one hash slot:
 * <ul>
 *   <li>{@code dc:{type}:e:<id>} hash: {@code json} (the entity, via {@link JsonCodec}), {@code uk},
 *       {@code brand}, {@code seq}</li>
 *   <li>{@code dc:{type}:brand:<brandId>} sorted set of ids by creation sequence</li>
 *   <li>{@code dc:{type}:all} sorted set of every id by creation sequence</li>
 *   <li>{@code dc:{type}:uk} hash unique key → id; {@code dc:{type}:seq} creation counter</li>
 * </ul>
 * Create, update and delete are single Lua scripts, so a failed write changes nothing. Reads
 * ({@link #listByBrand}) are not atomic snapshots: an entity deleted meanwhile is left out.
 * Thread-safe; never blocks.
 */
public final class RedisEntityStore<T extends Entity> implements EntityStore<T> {
  private static final RedisScript CREATE = new RedisScript("entity-create", """
      if redis.call('EXISTS', KEYS[1]) == 1 then return 'EXISTS' end
      if ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return 'UNIQUE' end
      local seq = redis.call('INCR', KEYS[4])
      redis.call('HSET', KEYS[1], 'json', ARGV[2], 'uk', ARGV[3], 'brand', ARGV[4], 'seq', seq)
      redis.call('ZADD', KEYS[2], seq, ARGV[1])
      redis.call('ZADD', KEYS[5], seq, ARGV[1])
      if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[3], ARGV[1]) end
      return 'OK'
      """);
  private static final RedisScript UPDATE = new RedisScript("entity-update", """
      local old = redis.call('HMGET', KEYS[1], 'uk', 'brand', 'seq')
      if not old[3] then return 'MISSING' end
      if ARGV[3] ~= '' then
        local holder = redis.call('HGET', KEYS[2], ARGV[3])
        if holder and holder ~= ARGV[1] then return 'UNIQUE' end
      end
      if old[1] ~= '' and old[1] ~= ARGV[3] then redis.call('HDEL', KEYS[2], old[1]) end
      if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[1]) end
      if old[2] ~= ARGV[4] then
        redis.call('ZREM', ARGV[5] .. old[2], ARGV[1])
        redis.call('ZADD', ARGV[5] .. ARGV[4], old[3], ARGV[1])
      end
      redis.call('HSET', KEYS[1], 'json', ARGV[2], 'uk', ARGV[3], 'brand', ARGV[4])
      return 'OK'
      """);
  private static final RedisScript DELETE = new RedisScript("entity-delete", """
      local old = redis.call('HMGET', KEYS[1], 'uk', 'brand')
      if not old[2] then return 'MISSING' end
      if old[1] ~= '' then redis.call('HDEL', KEYS[2], old[1]) end
      redis.call('ZREM', ARGV[2] .. old[2], ARGV[1])
      redis.call('ZREM', KEYS[3], ARGV[1])
      redis.call('DEL', KEYS[1])
      return 'OK'
      """);

  private final RedisConnector redis;
  private final String typeName;
  private final Class<T> type;
  private final String prefix;

  /**
   * @param keyName short name used in keys, e.g. {@code product}
   * @param typeName used in error messages, e.g. "product"
   */
  public RedisEntityStore(RedisConnector redis, String keyName, String typeName, Class<T> type) {
    this.redis = redis;
    this.typeName = typeName;
    this.type = type;
    this.prefix = "dc:{" + keyName + "}:";
  }

  private String entityKey(String id) {
    return prefix + "e:" + id;
  }

  private String brandKey(String brandId) {
    return prefix + "brand:" + brandId;
  }

  @Override
  public Future<T> get(String id) {
    return redis.<String>call(c -> c.hget(entityKey(id), "json")).map(this::decode);
  }

  @Override
  public Future<T> findByUniqueKey(String uniqueKey) {
    return redis.<String>call(c -> c.hget(prefix + "uk", uniqueKey))
        .compose(id -> id == null ? Future.succeededFuture(null) : get(id));
  }

  @Override
  public Future<List<T>> listByBrand(String brandId) {
    return readIndex(brandKey(brandId));
  }

  @Override
  public Future<List<T>> listAll() {
    return readIndex(prefix + "all");
  }

  /** Reads the entities whose ids a sorted-set index holds, in index order; skips ids deleted meanwhile. */
  private Future<List<T>> readIndex(String indexKey) {
    return redis.<List<String>>call(c -> c.zrange(indexKey, 0, -1)).compose(ids -> {
      List<Future<T>> reads = new ArrayList<>(ids.size());
      for (String id : ids) {
        reads.add(get(id));
      }
      return Future.all(reads).map(all -> {
        List<T> result = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
          T entity = all.resultAt(i);
          if (entity != null) {
            result.add(entity);
          }
        }
        return result;
      });
    });
  }

  @Override
  public Future<T> create(T entity) {
    String uk = Objects.requireNonNullElse(entity.uniqueKey(), "");
    return CREATE.run(redis, new String[] {entityKey(entity.id()), brandKey(entity.brandId()), prefix + "uk", prefix + "seq", prefix + "all"},
        entity.id(), encode(entity), uk, entity.brandId()).compose(status -> switch (status) {
          case "OK" -> Future.succeededFuture(entity);
          case "EXISTS" -> Future.failedFuture(new ProtocolException(ErrorCode.CONFLICT, typeName + " " + entity.id() + " already exists"));
          default -> Future.failedFuture(conflict(uk));
        });
  }

  @Override
  public Future<T> update(T entity) {
    String uk = Objects.requireNonNullElse(entity.uniqueKey(), "");
    return UPDATE.run(redis, new String[] {entityKey(entity.id()), prefix + "uk"},
        entity.id(), encode(entity), uk, entity.brandId(), prefix + "brand:").compose(status -> switch (status) {
          case "OK" -> Future.succeededFuture(entity);
          case "MISSING" -> Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, typeName + " " + entity.id() + " not found"));
          default -> Future.failedFuture(conflict(uk));
        });
  }

  @Override
  public Future<Boolean> delete(String id) {
    return DELETE.run(redis, new String[] {entityKey(id), prefix + "uk", prefix + "all"}, id, prefix + "brand:").map("OK"::equals);
  }

  private String encode(T entity) {
    try {
      return JsonCodec.mapper().writeValueAsString(entity);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + typeName, e);
    }
  }

  private T decode(String json) {
    if (json == null) {
      return null;
    }
    try {
      return JsonCodec.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new ProtocolException(ErrorCode.INTERNAL, "stored " + typeName + " is unreadable");
    }
  }

  private ProtocolException conflict(String key) {
    String shown = key.contains("\u0000") ? key.substring(key.indexOf('\u0000') + 1) : key;
    return new ProtocolException(ErrorCode.CONFLICT, "another " + typeName + " already uses '" + shown + "'");
  }
}
