package io.dropcast.server.testing;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;

/** Waits for Vert.x futures from a test thread (never from an event loop). */
public final class Await {
  private Await() {}

  /** @return the future's value; rethrows its failure (unwrapped) */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("future did not complete: " + e, e);
    }
  }

  /** @return the error code the future failed with (fails the test if it succeeded) */
  public static ErrorCode failureCode(Future<?> future) {
    try {
      Object value = await(future);
      Assertions.fail("expected a failure but got " + value);
      return null;
    } catch (ProtocolException e) {
      return e.code();
    }
  }
}
