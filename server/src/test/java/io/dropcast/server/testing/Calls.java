package io.dropcast.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.client.DropcastClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Small helpers for socket tests: the error code of a failed call, collecting events. */
public final class Calls {
  private Calls() {}

  /** @return the error code the call failed with; fails the test when it succeeded */
  public static ErrorCode errorOf(Runnable call) {
    try {
      call.run();
    } catch (ProtocolException e) {
      return e.code();
    }
    throw new AssertionError("expected the call to fail, but it succeeded");
  }

  /** @return the next event matching, within 5 s; fails the test when none comes (discards others) */
  public static JsonNode next(DropcastClient client, String event) {
    return next(client, e -> event.equals(e.path("event").asText()), event);
  }

  /** @return the next message matching, within 5 s (discards others) */
  public static JsonNode next(DropcastClient client, Predicate<JsonNode> match, String what) {
    return next(client, match, what, 5);
  }

  /** @return the next message matching, within {@code seconds} (discards others) */
  public static JsonNode next(DropcastClient client, Predicate<JsonNode> match, String what, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try {
      while (System.nanoTime() < deadline) {
        JsonNode e = client.pollEvent(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (e != null && match.test(e)) {
          return e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no " + what + " within " + seconds + " s");
  }

  /** @return every event named {@code event} received within {@code millis} (discards others) */
  public static List<JsonNode> collect(DropcastClient client, String event, long millis) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return out;
      }
      JsonNode e = client.pollEvent(left, TimeUnit.NANOSECONDS);
      if (e != null && event.equals(e.path("event").asText())) {
        out.add(e);
      }
    }
  }
}
