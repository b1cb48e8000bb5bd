package io.dropcast.server.sale;

import io.dropcast.server.live.ShowEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stand-in {@link ShowEvents} used until the live-show runtime is wired: logs each event at debug
 * level and delivers nothing. Thread-safe.
 */
public final class LoggingShowEvents implements ShowEvents {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingShowEvents.class);

  @Override
  public void publish(String showId, String event, Object data) {
    LOG.debug("show {} event {} {}", showId, event, data);
  }

  @Override
  public void publishCoalesced(String showId, String key, String event, Object data) {
    LOG.debug("show {} coalesced {} event {} {}", showId, key, event, data);
  }
}
