package io.dropcast.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropcast.protocol.ErrorCode;

/**
 * The one answer to a {@link Request}: {@code {"type":"reply","id":"r1","ok":true,"data":{…}}} or
 * {@code {"type":"reply","id":"r1","ok":false,"error":{"code":"FORBIDDEN","message":"…"}}}.
 *
 * @param id the request id; null (always present on the wire) only when the request was too malformed
 *     to read its id, or for answers to binary frames
 * @param ok whether the request succeeded
 * @param data result on success (may be null); absent on error
 * @param error the error on failure; absent on success
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reply(@JsonInclude(JsonInclude.Include.ALWAYS) String id, boolean ok, Object data, ErrorBody error) {

  /** @return always {@code "reply"} */
  @JsonProperty("type")
  public String type() {
    return "reply";
  }

  public static Reply success(String id, Object data) {
    return new Reply(id, true, data, null);
  }

  public static Reply failure(String id, ErrorCode code, String message) {
    return new Reply(id, false, null, new ErrorBody(code, message));
  }

  /** A stable code plus a human-readable message. */
  public record ErrorBody(ErrorCode code, String message) {}
}
