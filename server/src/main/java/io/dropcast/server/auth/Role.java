package io.dropcast.server.auth;

import java.util.Locale;

/** What a socket user may do in a show. */
public enum Role {
  /** Watches, chats, reacts and buys. */
  VIEWER,
  /** Runs the show: goes live, sends media, pins products, moderates. */
  HOST,
  /** Moderates chat and pins products; cannot send media or start/end the show. */
  MODERATOR,
  /** Unauthenticated viewer of a show that allows guests: watches only. */
  GUEST;

  /** @return the lower-case wire name */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the role for a wire name, or null when unknown */
  public static Role fromWire(String name) {
    if (name == null) {
      return null;
    }
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** @return true for host and moderator */
  public boolean moderates() {
    return this == HOST || this == MODERATOR;
  }
}
