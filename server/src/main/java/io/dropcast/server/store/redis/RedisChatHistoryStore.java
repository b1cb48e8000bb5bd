package io.dropcast.server.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.chat.ChatHistoryStore;
import io.dropcast.server.chat.ChatMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ChatHistoryStore} on Redis: one list per show, {@code dc:{chat:<show>}:recent}, of JSON
 * messages, oldest first. Append is one script (RPUSH + LTRIM), so the list never exceeds its bound;
 * delete is one script that removes the element whose id matches. Each script touches one key.
 * Thread-safe; never blocks.
 */
public final class RedisChatHistoryStore implements ChatHistoryStore {
  private static final RedisScript APPEND = new RedisScript("chat-append", """
      redis.call('RPUSH', KEYS[1], ARGV[1])
      local keep = tonumber(ARGV[2])
      if keep <= 0 then redis.call('DEL', KEYS[1]) else redis.call('LTRIM', KEYS[1], -keep, -1) end
      return 'OK'
      """);
  private static final RedisScript DELETE = new RedisScript("chat-delete", """
      local all = redis.call('LRANGE', KEYS[1], 0, -1)
      for _, json in ipairs(all) do
        local ok, m = pcall(cjson.decode, json)
        if ok and m.id == ARGV[1] then
          redis.call('LREM', KEYS[1], 1, json)
          return 'DELETED'
        end
      end
      return 'MISSING'
      """);

  private final RedisConnector redis;

  public RedisChatHistoryStore(RedisConnector redis) {
    this.redis = redis;
  }

  private static String key(String showId) {
    return "dc:{chat:" + showId + "}:recent";
  }

  @Override
  public Future<Void> append(String showId, ChatMessage message, int keep) {
    return APPEND.run(redis, new String[] {key(showId)}, JsonCodec.encodeToString(message), Integer.toString(keep))
        .mapEmpty();
  }

  @Override
  public Future<List<ChatMessage>> recent(String showId, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return redis.<List<String>>call(c -> c.lrange(key(showId), -limit, -1)).map(jsons -> {
      List<ChatMessage> messages = new ArrayList<>(jsons.size());
      for (String json : jsons) {
        try {
          messages.add(JsonCodec.mapper().readValue(json, ChatMessage.class));
        } catch (JsonProcessingException e) {
          throw new ProtocolException(ErrorCode.INTERNAL, "stored chat message is unreadable");
        }
      }
      return messages;
    });
  }

  @Override
  public Future<Boolean> delete(String showId, String messageId) {
    return DELETE.run(redis, new String[] {key(showId)}, messageId).map("DELETED"::equals);
  }
}
