package io.dropcast.server.chat;

/**
 * One chat message of a show, as stored in the history and sent to clients. Immutable.
 *
 * @param id {@code msg_…}
 * @param userId author's user id (or guest id)
 * @param name author's display name
 * @param role author's role wire name ({@code viewer}, {@code host}, {@code moderator})
 * @param text the text after the word filter was applied
 * @param at server time in epoch milliseconds
 */
public record ChatMessage(String id, String userId, String name, String role, String text, long at) {}
