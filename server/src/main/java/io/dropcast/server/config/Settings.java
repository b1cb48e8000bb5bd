package io.dropcast.server.config;

import static io.dropcast.server.config.Setting.boolSetting;
import static io.dropcast.server.config.Setting.choiceSetting;
import static io.dropcast.server.config.Setting.intSetting;
import static io.dropcast.server.config.Setting.stringSetting;

import java.util.List;

/**
 * Every configuration key Dropcast knows. {@code config/dropcast.properties} documents each one;
 * a key not listed here is rejected at start-up.
 */
public final class Settings {
  // --- server ---
  public static final Setting<Integer> PORT = intSetting("port", 8080, 0, 65535,
      "HTTP and WebSocket port (0 picks a free port).");
  public static final Setting<String> HOST = stringSetting("host", "0.0.0.0", "Address to bind.");
  public static final Setting<String> PUBLIC_URL = stringSetting("public-url", "",
      "Base URL printed in links (default http://localhost:<port>).");
  public static final Setting<Boolean> NATIVE_TRANSPORT = boolSetting("native-transport", true,
      "Use Linux's native epoll transport when available (otherwise Java NIO); the one in use is logged.");
  public static final Setting<Integer> SHUTDOWN_GRACE_MS = intSetting("shutdown.grace-ms", 2000, 0, 60000,
      "How long a graceful shutdown waits for sockets to close.");

  // --- state ---
  public static final Setting<String> STORE = choiceSetting("store", "memory", List.of("memory", "redis"),
      "Where shared state lives: memory (one node) or redis.");
  public static final Setting<String> REDIS_MODE = choiceSetting("redis.mode", "standalone", List.of("standalone", "cluster"),
      "Redis deployment when store=redis: standalone (one server, or a proxy) or cluster (Redis Cluster).");
  public static final Setting<String> REDIS_URL = new Setting<>("redis.url", "redis://127.0.0.1:6379", text -> {
    io.dropcast.server.store.redis.RedisConnector.parseUris(text);
    return text.trim();
  }, "Redis URI used when store=redis; with redis.mode=cluster one or more seed URIs separated by commas; redis-sentinel://host:port[,host:port]?sentinelMasterId=NAME for Sentinel.");
  public static final Setting<Integer> REDIS_TIMEOUT_MS = intSetting("redis.timeout-ms", 2000, 50, 60000,
      "Redis command timeout; a request that needs Redis fails with UNAVAILABLE after it.");

  // --- security ---
  public static final Setting<String> ADMIN_KEY = stringSetting("admin.key", "",
      "Admin API key (Authorization: Bearer). Empty: a random key is generated and printed at start-up.");
  public static final Setting<String> TOKEN_SECRET = stringSetting("token.secret", "",
      "HMAC secret for signed tokens (at least 32 characters). Empty: random per start (tokens die with the process).");
  public static final Setting<Integer> TOKEN_DEFAULT_TTL_SECONDS = intSetting("token.default-ttl-seconds", 3600, 10, 86400,
      "Lifetime of a minted token when the request does not ask for one.");
  public static final Setting<Integer> TOKEN_MAX_TTL_SECONDS = intSetting("token.max-ttl-seconds", 86400, 10, 604800,
      "Longest lifetime a brand may ask for.");

  // --- HTTP API ---
  public static final Setting<Integer> HTTP_MAX_BODY_BYTES = intSetting("http.max-body-bytes", 65536, 1024, 16 << 20,
      "Largest REST request body; larger bodies get TOO_LARGE.");

  // --- WebSocket ---
  public static final Setting<Integer> WS_MAX_TEXT_BYTES = intSetting("ws.max-text-bytes", 16384, 256, 1 << 20,
      "Largest JSON request frame; larger ones get TOO_LARGE (socket stays open).");
  public static final Setting<Integer> WS_MAX_MEDIA_BYTES = intSetting("ws.max-media-bytes", 1 << 20, 1024, 16 << 20,
      "Largest binary media frame (header + payload). Frames above it close the socket with 1009.");
  public static final Setting<Integer> WS_WRITE_QUEUE_BYTES = intSetting("ws.write-queue-bytes", 512 * 1024, 8192, 64 << 20,
      "Bytes queued for one client before it counts as slow (media skips to the next keyframe).");
  public static final Setting<Integer> WS_REQUESTS_PER_SECOND = intSetting("ws.requests-per-second", 20, 1, 100000,
      "Sustained JSON requests per connection; bursts up to ws.request-burst. Excess gets RATE_LIMITED.");
  public static final Setting<Integer> WS_REQUEST_BURST = intSetting("ws.request-burst", 40, 1, 100000,
      "Request burst allowance per connection.");
  public static final Setting<Integer> WS_AUTH_TIMEOUT_MS = intSetting("ws.auth-timeout-ms", 30000, 100, 600000,
      "A connection that neither authenticates nor joins a show within this time is closed (4401).");

  // --- live shows (chat, pins, reactions, recovery, fan-out, media) ---
  public static final Setting<Integer> CHAT_MAX_LENGTH = intSetting("chat.max-length", 500, 1, 10000,
      "Longest chat message in characters (code points); longer ones get TOO_LARGE.");
  public static final Setting<Integer> CHAT_HISTORY_SIZE = intSetting("chat.history-size", 50, 0, 1000,
      "Recent chat messages kept per show and sent in the join snapshot.");
  public static final Setting<Integer> CHAT_RATE_PER_SECOND = intSetting("chat.rate-per-second", 1, 1, 1000,
      "Sustained chat messages per user per show; bursts up to chat.rate-burst. Excess gets RATE_LIMITED.");
  public static final Setting<Integer> CHAT_RATE_BURST = intSetting("chat.rate-burst", 5, 1, 1000,
      "Chat burst allowance per user per show.");
  public static final Setting<Integer> CHAT_MAX_SLOW_SECONDS = intSetting("chat.max-slow-seconds", 600, 1, 86400,
      "Longest slow-mode interval a moderator may set.");
  public static final Setting<Integer> CHAT_MAX_FILTER_WORDS = intSetting("chat.max-filter-words", 200, 0, 10000,
      "Most words in a show's chat word filter.");
  public static final Setting<Integer> PINS_MAX = intSetting("pins.max", 3, 1, 20,
      "Most products pinned at once in a show; one more gets CONFLICT.");
  public static final Setting<Integer> REACTIONS_MAX_COUNT = intSetting("reactions.max-count", 50, 1, 10000,
      "Largest count one react request may carry.");
  public static final Setting<Integer> LIVE_HISTORY_SIZE = intSetting("live.history-size", 512, 0, 100000,
      "Sequenced events kept per show for reconnect recovery (join with lastSeq).");
  public static final Setting<Integer> LIVE_COALESCE_MS = intSetting("live.coalesce-ms", 250, 10, 10000,
      "Coalescing interval for counters (viewers, reactions, stock): at most one event per key per interval.");
  public static final Setting<Integer> LIVE_MAX_QUEUED_BYTES = intSetting("live.max-queued-bytes", 2 << 20, 65536, 256 << 20,
      "Hard cap of bytes queued for one client: an event, codec config or reply beyond it closes the socket with 4408.");
  public static final Setting<Integer> MEDIA_GOP_MAX_BYTES = intSetting("media.gop-max-bytes", 8 << 20, 65536, 256 << 20,
      "Most bytes of frames cached per show since the last keyframe for late joiners; beyond it the cache waits for the next keyframe.");
  // --- flash sales ---
  public static final Setting<Integer> SALE_TICK_MS = intSetting("sale.tick-ms", 1000, 50, 60000,
      "How often each node expires lapsed reservations and announces started/ended sales.");
  public static final Setting<Integer> ANALYTICS_FLUSH_MS = intSetting("analytics.flush-ms", 1000, 50, 60000,
      "How often each node flushes its show analytics counters to the store (ms).");
  public static final Setting<Integer> ANALYTICS_LIVE_STATS_MS = intSetting("analytics.live-stats-ms", 5000, 100, 600000,
      "How often hosts and moderators in a show receive the analytics.live event (ms).");
  public static final Setting<Integer> SALE_SWEEP_BATCH = intSetting("sale.sweep-batch", 500, 1, 100000,
      "Most lapsed reservations one sale returns to stock per tick.");
  public static final Setting<Integer> SALE_RESERVES_IN_FLIGHT = intSetting("sale.reserves-in-flight", 256, 1, 100000,
      "Reserve requests one node runs against the store at once; later ones wait their turn.");
  public static final Setting<Integer> SALE_RESERVES_WAITING = intSetting("sale.reserves-waiting", 100000, 0, 10000000,
      "Reserve requests that may wait for a turn on one node; beyond it UNAVAILABLE at once, nothing reserved.");
  public static final Setting<Integer> SALE_MIN_HOLD_SECONDS = intSetting("sale.min-hold-seconds", 10, 1, 3600,
      "Shortest reservation hold a brand may set on a sale (holdSeconds; the longest is 3600).");
  public static final Setting<String> SALE_CHAT_KEYWORD = new Setting<>("sale.chat-keyword", "SOLD", text -> {
    String word = text.trim();
    if (!word.isEmpty() && !word.matches("[\\p{L}\\p{N}]{1,32}")) {
      throw new IllegalArgumentException("must be one word of 1 to 32 letters or digits (empty turns comment-to-buy off), was '" + text + "'");
    }
    return word;
  }, "Comment-to-buy: a chat message that is this word (any case), optionally followed by a quantity, reserves the pinned sale item; empty turns it off.");

  // --- webhooks ---
  public static final Setting<Integer> WEBHOOK_MAX_ATTEMPTS = intSetting("webhook.max-attempts", 6, 1, 20,
      "Attempts per webhook message (the first plus retries) before it is given up.");
  public static final Setting<Integer> WEBHOOK_RETRY_BASE_MS = intSetting("webhook.retry-base-ms", 1000, 10, 600000,
      "Delay before the first retry; each later retry waits twice as long.");
  public static final Setting<Integer> WEBHOOK_TIMEOUT_MS = intSetting("webhook.timeout-ms", 5000, 100, 60000,
      "Longest one webhook attempt may take, answer included; also its connect and idle timeout.");
  public static final Setting<Integer> WEBHOOK_MAX_PENDING = intSetting("webhook.max-pending", 10000, 1, 1000000,
      "Most webhook messages in flight or waiting to retry per node; more are dropped and logged.");
  public static final Setting<Boolean> WEBHOOK_ALLOW_PRIVATE_TARGETS = boolSetting("webhook.allow-private-targets", false,
      "Let webhook URLs reach loopback, private and link-local addresses (tests, single-tenant setups).");

  // --- demo ---
  public static final Setting<Boolean> DEMO = boolSetting("demo", false,
      "Seed a demo brand, products and a show, and print keys, tokens and links.");

  /** All keys, in documentation order. */
  public static final List<Setting<?>> ALL = List.of(
      PORT, HOST, PUBLIC_URL, NATIVE_TRANSPORT, SHUTDOWN_GRACE_MS,
      STORE, REDIS_MODE, REDIS_URL, REDIS_TIMEOUT_MS,
      ADMIN_KEY, TOKEN_SECRET, TOKEN_DEFAULT_TTL_SECONDS, TOKEN_MAX_TTL_SECONDS,
      HTTP_MAX_BODY_BYTES,
      WS_MAX_TEXT_BYTES, WS_MAX_MEDIA_BYTES, WS_WRITE_QUEUE_BYTES, WS_REQUESTS_PER_SECOND, WS_REQUEST_BURST,
      WS_AUTH_TIMEOUT_MS,
      CHAT_MAX_LENGTH, CHAT_HISTORY_SIZE, CHAT_RATE_PER_SECOND, CHAT_RATE_BURST, CHAT_MAX_SLOW_SECONDS,
      CHAT_MAX_FILTER_WORDS, PINS_MAX, REACTIONS_MAX_COUNT,
      LIVE_HISTORY_SIZE, LIVE_COALESCE_MS, LIVE_MAX_QUEUED_BYTES, MEDIA_GOP_MAX_BYTES,
      SALE_TICK_MS, SALE_SWEEP_BATCH, SALE_RESERVES_IN_FLIGHT, SALE_RESERVES_WAITING, ANALYTICS_FLUSH_MS, ANALYTICS_LIVE_STATS_MS, SALE_MIN_HOLD_SECONDS, SALE_CHAT_KEYWORD,
      WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_BASE_MS, WEBHOOK_TIMEOUT_MS, WEBHOOK_MAX_PENDING, WEBHOOK_ALLOW_PRIVATE_TARGETS,
      DEMO);

  private Settings() {}
}
