package io.dropcast.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * First message the server sends on every connection: protocol version, the authenticated user
 * (null for a guest), and the limits the client must respect.
 *
 * @param protocol protocol version, see {@link io.dropcast.protocol.Protocol#VERSION}
 * @param server server name and version
 * @param connection id of this connection (for logs and support)
 * @param user the authenticated user, or null when the connection is not (yet) authenticated
 * @param limits named limits, e.g. {@code maxTextFrameBytes}, {@code maxChatLength}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hello(int protocol, String server, String connection, UserInfo user, Map<String, Object> limits) {

  /** @return always {@code "hello"} */
  @JsonProperty("type")
  public String type() {
    return "hello";
  }
}
