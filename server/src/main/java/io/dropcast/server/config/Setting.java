package io.dropcast.server.config;

import java.util.function.Function;

/**
 * One configuration key: its name, default, how to parse it and what it means.
 *
 * <p>The environment variable for key {@code a.b-c} is {@code DROPCAST_A_B_C}.
 *
 * @param key dotted key as written in {@code config/dropcast.properties}
 * @param defaultValue default as text; may be empty
 * @param parser turns the text into a value, throwing {@link IllegalArgumentException} with a reason
 * @param description one line for the docs
 */
public record Setting<T>(String key, String defaultValue, Function<String, T> parser, String description) {

  /** @return the environment variable that overrides this key */
  public String envName() {
    return "DROPCAST_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  static Setting<Integer> intSetting(String key, int def, int min, int max, String description) {
    return new Setting<>(key, Integer.toString(def), text -> {
      int value;
      try {
        value = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a whole number, was '" + text + "'");
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }, description);
  }

  static Setting<Boolean> boolSetting(String key, boolean def, String description) {
    return new Setting<>(key, Boolean.toString(def), text -> switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("must be true or false, was '" + text + "'");
    }, description);
  }

  static Setting<String> stringSetting(String key, String def, String description) {
    return new Setting<>(key, def, String::trim, description);
  }

  static Setting<String> choiceSetting(String key, String def, java.util.List<String> choices, String description) {
    return new Setting<>(key, def, text -> {
      String value = text.trim().toLowerCase(java.util.Locale.ROOT);
      if (!choices.contains(value)) {
        throw new IllegalArgumentException("must be one of " + choices + ", was '" + text + "'");
      }
      return value;
    }, description);
  }
}
