package io.dropcast.server.chat;

import io.dropcast.server.auth.Identity;
import io.vertx.core.Future;
import java.util.List;

/**
 * A chat message that is a command rather than a message (e.g. comment-to-buy's "SOLD 2"). The show
 * room asks the installed command about every {@code chat.send} text before the chat rules run: a
 * text the command {@link #matches} is NOT posted, stored or shown to anyone; the command's result
 * becomes the writer's {@code chat.send} reply (a failure becomes its error reply).
 *
 * <p>Threading: both methods are called on the show room's thread and must not block; {@link #run}
 * returns at once and may complete its future on any thread.
 */
public interface ChatCommand {

  /**
   * What a command gets.
   *
   * @param showId the show the message was written in
   * @param writer the writer's identity (may be a guest's)
   * @param messageId a fresh {@code msg_…} id for this message (commands derive idempotency keys from it)
   * @param text the message text, stripped
   * @param pinnedProductIds products pinned in the show now, most recently pinned first
   */
  record Invocation(String showId, Identity writer, String messageId, String text, List<String> pinnedProductIds) {}

  /** @return true when {@code text} (stripped) is this command; cheap, no I/O */
  boolean matches(String text);

  /**
   * Runs the command for its writer.
   *
   * @return the reply data for the writer; a failed future ({@link io.dropcast.protocol.ProtocolException})
   *     becomes the writer's error reply
   */
  Future<Object> run(Invocation invocation);
}
