package io.dropcast.protocol;

/**
 * Stable error codes shared by the WebSocket protocol and the REST API.
 *
 * <p>Codes are part of the public contract: clients switch on {@link #name()}, so a code is never
 * renamed or reused for another meaning. New features add codes; each carries the HTTP status the
 * REST API answers with.
 */
public enum ErrorCode {
  /** The request is malformed: bad JSON, a missing or invalid field, an unknown op. */
  BAD_REQUEST(400),
  /** No valid credentials: missing, expired or forged token or API key. */
  UNAUTHORIZED(401),
  /** Authenticated, but this role may not do this (or the object belongs to another brand). */
  FORBIDDEN(403),
  /** The object does not exist (or is not visible to the caller). */
  NOT_FOUND(404),
  /** The operation conflicts with the current state (e.g. show already ended, duplicate SKU). */
  CONFLICT(409),
  /** A frame, message or body exceeds a configured size limit. */
  TOO_LARGE(413),
  /** Too many requests: a rate limit or slow mode applies. */
  RATE_LIMITED(429),
  /** A dependency (such as Redis) is unreachable; retry later. */
  UNAVAILABLE(503),
  /** An unexpected server error; the request had no effect that the client can rely on. */
  INTERNAL(500),
  /** The caller is muted in this show's chat. */
  MUTED(403),
  /** The caller is banned from this show. */
  BANNED(403),
  /** A flash sale has no stock left. */
  SOLD_OUT(409),
  /** The purchase would exceed the sale's per-buyer limit. */
  LIMIT_EXCEEDED(409),
  /** The sale has not started yet. */
  NOT_STARTED(409),
  /** The sale (or show) has ended. */
  ENDED(409),
  /** The reservation expired or was released before it was confirmed. */
  EXPIRED(410);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /** @return the HTTP status the REST API uses for this code */
  public int httpStatus() {
    return httpStatus;
  }
}
