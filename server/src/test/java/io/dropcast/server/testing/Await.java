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

  /**
   * Polls {@code read} every 20 ms until {@code done} accepts its value, for effects that complete
   * after a call returned.
   *
   * @return the accepted value; fails the test after 5 s with the last value read
   */
  public static <T> T eventually(java.util.function.Supplier<T> read, java.util.function.Predicate<T> done) {
    long deadline = System.currentTimeMillis() + 5_000;
    T value = read.get();
    while (!done.test(value)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within 5 s; last value: " + value);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      value = read.get();
    }
    return value;
  }
}
