package io.dropcast.protocol;

/**
 * A failure with a stable {@link ErrorCode} and a human-readable message, meant to be shown to the
 * client that caused it. Thrown by codecs on bad input and by server handlers; carries no stack trace
 * (it describes the client's mistake, not a server bug), so it is cheap to create on hot paths.
 */
public class ProtocolException extends RuntimeException {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** @return the stable error code, never null */
  public ErrorCode code() {
    return code;
  }
}
