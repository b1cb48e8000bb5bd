package io.dropcast.protocol;

/** Protocol-wide constants. See {@code docs/protocol.md}. */
public final class Protocol {
  /** Version announced in the {@code hello} message; bumped on incompatible changes. */
  public static final int VERSION = 1;
  /** Path of the WebSocket endpoint. */
  public static final String WS_PATH = "/ws";
  /** Query parameter that carries a token on connect. */
  public static final String TOKEN_PARAM = "token";

  /** Close code: the server is shutting down; reconnect (possibly to another node). */
  public static final int CLOSE_GOING_AWAY = 1001;
  /** Close code: a protocol violation that cannot be answered (e.g. an oversized frame). */
  public static final int CLOSE_POLICY = 1008;
  /** Close code: a frame larger than the configured maximum. */
  public static final int CLOSE_TOO_BIG = 1009;
  /** Close code: the token given on connect is invalid or expired. */
  public static final int CLOSE_UNAUTHORIZED = 4401;
  /** Close code: the user was banned from the show they were watching. */
  public static final int CLOSE_BANNED = 4403;
  /** Close code: the client could not keep up with events and was disconnected; reconnect and rejoin. */
  public static final int CLOSE_TOO_SLOW = 4408;

  private Protocol() {}
}
