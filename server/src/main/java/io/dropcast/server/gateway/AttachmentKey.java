package io.dropcast.server.gateway;

/**
 * A typed key for per-connection state that a feature attaches to a {@link ClientConnection}.
 *
 * @param name for debugging
 */
public record AttachmentKey<T>(String name) {}
