package io.dropcast.server.config;

/** A setting is unknown or invalid; the message names the key and the source. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
