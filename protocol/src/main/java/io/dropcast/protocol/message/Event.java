package io.dropcast.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A server event scoped to a show: {@code {"type":"event","show":"shw_…","seq":42,"event":"chat.message","data":{…}}}.
 *
 * <p>{@code seq} increases by one for every event of a show that is kept in the recovery history, so
 * a client that sees a jump knows it missed events and can rejoin with its last seq. Events that are
 * addressed to one connection only (never part of the shared history) carry {@code seq = 0}.
 *
 * @param show the show id
 * @param seq per-show sequence number (0 for events addressed to one connection)
 * @param event event name, see {@link Events}
 * @param data payload
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(String show, long seq, String event, Object data) {

  /** @return always {@code "event"} */
  @JsonProperty("type")
  public String type() {
    return "event";
  }
}
