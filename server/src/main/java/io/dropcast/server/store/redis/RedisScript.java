package io.dropcast.server.store.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run with {@code EVALSHA}. The SHA-1 is computed locally; when Redis answers
 * {@code NOSCRIPT} (first use, or after a Redis restart flushed the script cache) the script is
 * loaded with {@code SCRIPT LOAD} and run again, once. Every script returns one string (status
 * word or JSON built with {@code cjson}).
 *
 * <p>Immutable and thread-safe; share one instance per script.
 */
public final class RedisScript {
  private final String name;
  private final String source;
  private final String sha;

  /** @param name short name for logs; @param source the Lua text */
  public RedisScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /** @return the script's name */
  public String name() {
    return name;
  }

  /**
   * Runs the script atomically.
   *
   * @return the script's string result (may be null when the script returns nil)
   */
  public Future<String> run(RedisConnector redis, String[] keys, String... args) {
    return redis.<String>call(c -> c.evalsha(sha, ScriptOutputType.VALUE, keys, args))
        .recover(e -> {
          if (isNoScript(e)) {
            return redis.<String>call(c -> c.scriptLoad(source))
                .compose(loaded -> redis.<String>call(c -> c.evalsha(sha, ScriptOutputType.VALUE, keys, args)));
          }
          return Future.failedFuture(e);
        });
  }

  private static boolean isNoScript(Throwable e) {
    return e instanceof RedisNoScriptException
        || (e instanceof RedisCommandExecutionException && e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
