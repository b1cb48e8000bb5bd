package io.dropcast.server.util;

import java.security.SecureRandom;

/**
 * Random identifiers and secrets. Thread-safe; {@link SecureRandom} reads the non-blocking system
 * source on Linux, so it is safe on an event loop.
 */
public final class Ids {
  private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** @return {@code prefix_} followed by 16 random base62 characters (~95 bits) */
  public static String newId(String prefix) {
    return prefix + "_" + random(16);
  }

  /** @return {@code length} random base62 characters */
  public static String random(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }
}
