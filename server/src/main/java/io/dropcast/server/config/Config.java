package io.dropcast.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Validated, immutable configuration.
 *
 * <p>Sources, later ones winning: the defaults in {@link Settings}; the properties file
 * ({@code DROPCAST_CONFIG}, else {@code config/dropcast.properties} when it exists); environment
 * variables {@code DROPCAST_*}. An unknown key in the file or an unknown {@code DROPCAST_*} variable,
 * or a value that does not parse, fails with a {@link ConfigException} naming the key.
 *
 * <p>Thread-safe (immutable). Loading reads a file, so do it before Vert.x starts, never on an event loop.
 */
public final class Config {
  /** Environment variable naming the properties file. */
  public static final String CONFIG_ENV = "DROPCAST_CONFIG";
  private static final Path DEFAULT_FILE = Path.of("config", "dropcast.properties");

  private final Map<String, Object> values;

  private Config(Map<String, Object> values) {
    this.values = values;
  }

  /** Loads from the process environment and the default file. */
  public static Config load() {
    return load(System.getenv());
  }

  /** Loads from the given environment (and the file it names, or the default file). */
  public static Config load(Map<String, String> env) {
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> sourceOf = new HashMap<>();
    String fileName = env.get(CONFIG_ENV);
    Path file = fileName != null && !fileName.isBlank() ? Path.of(fileName) : DEFAULT_FILE;
    if (fileName != null && !fileName.isBlank() && !Files.isRegularFile(file)) {
      throw new ConfigException(CONFIG_ENV + ": no such file " + file);
    }
    if (Files.isRegularFile(file)) {
      Properties props = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(reader);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("cannot read " + file + ": " + e.getMessage());
      }
      for (String key : props.stringPropertyNames()) {
        raw.put(key, props.getProperty(key));
        sourceOf.put(key, file.toString());
      }
    }
    Map<String, Setting<?>> byEnv = new HashMap<>();
    Settings.ALL.forEach(s -> byEnv.put(s.envName(), s));
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith("DROPCAST_") || e.getKey().equals(CONFIG_ENV)) {
        continue;
      }
      Setting<?> setting = byEnv.get(e.getKey());
      if (setting == null) {
        throw new ConfigException("unknown setting " + e.getKey() + " (environment)");
      }
      raw.put(setting.key(), e.getValue());
      sourceOf.put(setting.key(), "environment " + e.getKey());
    }
    return of(raw, sourceOf);
  }

  /** Builds a configuration from explicit key/value pairs over the defaults (tests, embedding). */
  public static Config of(Map<String, String> overrides) {
    Map<String, String> sourceOf = new HashMap<>();
    overrides.keySet().forEach(k -> sourceOf.put(k, "override"));
    return of(overrides, sourceOf);
  }

  private static Config of(Map<String, String> raw, Map<String, String> sourceOf) {
    Map<String, Setting<?>> byKey = new HashMap<>();
    Settings.ALL.forEach(s -> byKey.put(s.key(), s));
    for (String key : raw.keySet()) {
      if (!byKey.containsKey(key)) {
        throw new ConfigException("unknown setting '" + key + "' (" + sourceOf.get(key) + ")");
      }
    }
    Map<String, Object> values = new HashMap<>();
    for (Setting<?> s : Settings.ALL) {
      String text = raw.getOrDefault(s.key(), s.defaultValue());
      try {
        values.put(s.key(), s.parser().apply(text));
      } catch (IllegalArgumentException e) {
        String source = sourceOf.getOrDefault(s.key(), "default");
        throw new ConfigException("invalid setting '" + s.key() + "' (" + source + "): " + e.getMessage());
      }
    }
    if ("standalone".equals(values.get(Settings.REDIS_MODE.key()))
        && io.dropcast.server.store.redis.RedisConnector.parseUris((String) values.get(Settings.REDIS_URL.key())).size() > 1) {
      throw new ConfigException("invalid setting '" + Settings.REDIS_URL.key() + "' ("
          + sourceOf.getOrDefault(Settings.REDIS_URL.key(), "default") + "): several URIs need redis.mode=cluster");
    }
    return new Config(Map.copyOf(values));
  }

  /** @return the value of a setting, never null */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting.key());
  }

  /** @return a copy with some settings replaced (values as text, validated) */
  public Config with(Map<String, String> overrides) {
    Map<String, String> raw = new HashMap<>();
    for (Setting<?> s : Settings.ALL) {
      raw.put(s.key(), String.valueOf(values.get(s.key())));
    }
    raw.putAll(overrides);
    Map<String, String> sourceOf = new HashMap<>();
    overrides.keySet().forEach(k -> sourceOf.put(k, "override"));
    return of(raw, sourceOf);
  }
}
