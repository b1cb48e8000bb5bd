package io.dropcast.protocol.message;

/** Names of the operations a client may request. Each is documented in {@code docs/protocol.md}. */
public final class Ops {
  public static final String AUTH = "auth";
  public static final String PING = "ping";
  public static final String JOIN = "join";
  public static final String LEAVE = "leave";

  public static final String SHOW_START = "show.start";
  public static final String SHOW_END = "show.end";
  /** Host/moderator: the show's live counters (viewers, seq, media frames received and dropped). */
  public static final String SHOW_STATS = "show.stats";

  public static final String CHAT_SEND = "chat.send";
  public static final String CHAT_DELETE = "chat.delete";
  public static final String CHAT_MUTE = "chat.mute";
  public static final String CHAT_UNMUTE = "chat.unmute";
  public static final String CHAT_BAN = "chat.ban";
  public static final String CHAT_UNBAN = "chat.unban";
  public static final String CHAT_SLOW = "chat.slow";
  public static final String CHAT_FILTER = "chat.filter";
  public static final String CHAT_PIN = "chat.pin";
  public static final String CHAT_UNPIN = "chat.unpin";

  public static final String REACT = "react";
  public static final String PIN = "product.pin";
  public static final String UNPIN = "product.unpin";

  public static final String SALE_RESERVE = "sale.reserve";
  public static final String SALE_WAITLIST = "sale.waitlist";
  public static final String RESERVATION_CONFIRM = "reservation.confirm";
  public static final String RESERVATION_RELEASE = "reservation.release";

  private Ops() {}
}
