package io.dropcast.protocol.message;

/** Names of the events the server sends. Each is documented in {@code docs/protocol.md}. */
public final class Events {
  public static final String SHOW_STATE = "show.state";
  public static final String VIEWERS = "viewers";
  public static final String CHAT_MESSAGE = "chat.message";
  public static final String CHAT_DELETED = "chat.deleted";
  public static final String CHAT_PINNED = "chat.pinned";
  public static final String CHAT_SETTINGS = "chat.settings";
  public static final String USER_MODERATED = "user.moderated";
  public static final String REACTIONS = "reactions";
  public static final String PINS = "product.pins";

  public static final String SALE_SCHEDULED = "sale.scheduled";
  public static final String SALE_STARTED = "sale.started";
  public static final String SALE_STOCK = "sale.stock";
  public static final String SALE_SOLD_OUT = "sale.sold_out";
  public static final String SALE_ENDED = "sale.ended";
  public static final String RESERVATION = "reservation";

  private Events() {}
}
