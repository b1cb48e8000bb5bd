package io.dropcast.server.chat;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.gateway.TokenBucket;
import io.dropcast.server.util.Ids;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat of one show: the recent-message window, per-user rate limits, slow mode, the word
 * filter, mutes, bans and the pinned comment. Pure rules and state; the caller publishes the events
 * and writes the history store.
 *
 * <p>Threading: confined to the show room's thread (see {@code live.ShowRoom}); not thread-safe.
 * Bounded: the window holds {@code historySize} messages, the rate-limit state at most
 * {@value #MAX_CHATTERS} users (least recently active evicted), the filter {@code maxFilterWords}
 * words. Mute and ban lists grow only through moderator requests (which are rate limited).
 */
public final class ChatRoom {
  /** Longest word (or phrase) of the word filter. */
  public static final int MAX_FILTER_WORD_LENGTH = 64;
  static final int MAX_CHATTERS = 10_000;

  /** Configured limits. */
  public record Limits(int maxLength, int historySize, int ratePerSecond, int rateBurst, int maxSlowSeconds,
                       int maxFilterWords) {}

  private final Limits limits;
  private final Deque<ChatMessage> recent = new ArrayDeque<>();
  private final Set<String> muted = new HashSet<>();
  private final Set<String> banned = new HashSet<>();
  private final Map<String, Chatter> chatters = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Chatter> eldest) {
      return size() > MAX_CHATTERS;
    }
  };
  private List<String> filterWords = List.of();
  private Pattern filter;
  private int slowModeSeconds;
  private ChatMessage pinned;

  private static final class Chatter {
    final TokenBucket bucket;
    long lastSentNanos = Long.MIN_VALUE;

    Chatter(Limits limits) {
      bucket = new TokenBucket(limits.ratePerSecond(), limits.rateBurst());
    }
  }

  /** @param initial messages loaded from the history store, oldest first */
  public ChatRoom(Limits limits, Collection<ChatMessage> initial) {
    this.limits = limits;
    for (ChatMessage m : initial) {
      remember(m);
    }
  }

  /**
   * Validates and accepts a message.
   *
   * @return the message to publish and store (text already filtered)
   * @throws ProtocolException FORBIDDEN for guests, BANNED, MUTED, BAD_REQUEST for an empty text,
   *     TOO_LARGE above the max length, RATE_LIMITED in slow mode or above the per-user rate
   */
  public ChatMessage send(Identity who, Object rawText, long nowMillis, long nowNanos) {
    if (who.role() == Role.GUEST) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "guests may watch but not chat; sign in to chat");
    }
    checkNotBanned(who.userId());
    if (muted.contains(who.userId())) {
      throw new ProtocolException(ErrorCode.MUTED, "you are muted in this show");
    }
    if (!(rawText instanceof String text) || text.isBlank()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'text' must be a non-empty string");
    }
    text = text.strip();
    int length = text.codePointCount(0, text.length());
    if (length > limits.maxLength()) {
      throw new ProtocolException(ErrorCode.TOO_LARGE,
          "chat message is " + length + " characters; at most " + limits.maxLength());
    }
    Chatter chatter = chatters.computeIfAbsent(who.userId(), k -> new Chatter(limits));
    if (slowModeSeconds > 0 && !who.role().moderates() && chatter.lastSentNanos != Long.MIN_VALUE) {
      long waitNanos = chatter.lastSentNanos + slowModeSeconds * 1_000_000_000L - nowNanos;
      if (waitNanos > 0) {
        throw new ProtocolException(ErrorCode.RATE_LIMITED, "slow mode: one message every " + slowModeSeconds
            + " s; wait " + (waitNanos + 999_999_999L) / 1_000_000_000L + " s");
      }
    }
    if (!chatter.bucket.tryTake()) {
      throw new ProtocolException(ErrorCode.RATE_LIMITED,
          "too many chat messages; at most " + limits.ratePerSecond() + " per second");
    }
    chatter.lastSentNanos = nowNanos;
    ChatMessage message = new ChatMessage(Ids.newId("msg"), who.userId(), who.name(), who.role().wireName(),
        applyFilter(text), nowMillis);
    remember(message);
    return message;
  }

  /** @return true when the user is banned from this show */
  public boolean isBanned(String userId) {
    return banned.contains(userId);
  }

  /** @throws ProtocolException BANNED when the user is banned from this show */
  public void checkNotBanned(String userId) {
    if (isBanned(userId)) {
      throw new ProtocolException(ErrorCode.BANNED, "you are banned from this show");
    }
  }

  /**
   * Removes a message from the window.
   *
   * @return true when it was also the pinned comment (which is then unpinned)
   * @throws ProtocolException NOT_FOUND when the message is not in the recent window
   */
  public boolean delete(String messageId) {
    if (!recent.removeIf(m -> m.id().equals(messageId))) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no recent message " + messageId);
    }
    if (pinned != null && pinned.id().equals(messageId)) {
      pinned = null;
      return true;
    }
    return false;
  }

  /** Adds a message another node accepted (replication); a message already in the window is ignored. */
  public void append(ChatMessage message) {
    for (ChatMessage m : recent) {
      if (m.id().equals(message.id())) {
        return;
      }
    }
    remember(message);
  }

  /** Removes a message if it is in the window, and unpins it if it was pinned (replication). */
  public void deleteQuietly(String messageId) {
    recent.removeIf(m -> m.id().equals(messageId));
    if (pinned != null && pinned.id().equals(messageId)) {
      pinned = null;
    }
  }

  /** Sets the pinned comment as another node pinned it (replication); null unpins. */
  public void setPinned(ChatMessage message) {
    pinned = message;
  }

  /** @return true when the mute list changed */
  public boolean mute(String userId, boolean on) {
    return on ? muted.add(userId) : muted.remove(userId);
  }

  /** @return true when the ban list changed */
  public boolean ban(String userId, boolean on) {
    return on ? banned.add(userId) : banned.remove(userId);
  }

  /** Sets slow mode (0 = off). @throws ProtocolException BAD_REQUEST outside 0..max */
  public void slowMode(int seconds) {
    if (seconds < 0 || seconds > limits.maxSlowSeconds()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          "field 'seconds' must be between 0 (off) and " + limits.maxSlowSeconds());
    }
    slowModeSeconds = seconds;
  }

  /**
   * Replaces the word filter (an empty list turns it off). Matching is case-insensitive on whole
   * words; matches are replaced by asterisks.
   *
   * @return the words in force (lower case, de-duplicated)
   * @throws ProtocolException BAD_REQUEST for too many words or an empty/too long word
   */
  public List<String> filter(List<?> words) {
    if (words.size() > limits.maxFilterWords()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "at most " + limits.maxFilterWords() + " filter words");
    }
    Set<String> clean = new LinkedHashSet<>();
    for (Object w : words) {
      if (!(w instanceof String s) || s.isBlank() || s.strip().length() > MAX_FILTER_WORD_LENGTH) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST,
            "each filter word must be a non-empty string of at most " + MAX_FILTER_WORD_LENGTH + " characters");
      }
      clean.add(s.strip().toLowerCase(Locale.ROOT));
    }
    filterWords = List.copyOf(clean);
    if (clean.isEmpty()) {
      filter = null;
    } else {
      StringBuilder regex = new StringBuilder("(?iu)(?<![\\p{L}\\p{N}])(?:");
      boolean first = true;
      for (String w : clean) {
        regex.append(first ? "" : "|").append(Pattern.quote(w));
        first = false;
      }
      filter = Pattern.compile(regex.append(")(?![\\p{L}\\p{N}])").toString());
    }
    return filterWords;
  }

  /** @return the message pinned. @throws ProtocolException NOT_FOUND when not in the recent window */
  public ChatMessage pin(String messageId) {
    for (ChatMessage m : recent) {
      if (m.id().equals(messageId)) {
        pinned = m;
        return m;
      }
    }
    throw new ProtocolException(ErrorCode.NOT_FOUND, "no recent message " + messageId);
  }

  /** @return true when a comment was pinned */
  public boolean unpin() {
    boolean had = pinned != null;
    pinned = null;
    return had;
  }

  /** @return the recent window, oldest first (a copy) */
  public List<ChatMessage> recent() {
    return new ArrayList<>(recent);
  }

  /** @return the pinned comment, or null */
  public ChatMessage pinned() {
    return pinned;
  }

  public int slowModeSeconds() {
    return slowModeSeconds;
  }

  public List<String> filterWords() {
    return filterWords;
  }

  private void remember(ChatMessage m) {
    if (limits.historySize() == 0) {
      return;
    }
    recent.addLast(m);
    while (recent.size() > limits.historySize()) {
      recent.removeFirst();
    }
  }

  private String applyFilter(String text) {
    if (filter == null) {
      return text;
    }
    Matcher m = filter.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(out, "*".repeat(m.group().length()));
    }
    m.appendTail(out);
    return out.toString();
  }
}
