package io.dropcast.server.sale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Reads and checks fields of a sale request body; every failure is a BAD_REQUEST naming the field.
 * Small and local on purpose (a shared body validator is being written elsewhere). Stateless.
 */
final class SaleInput {
  static final int MAX_QUANTITY = 1_000_000;
  static final int MAX_HOLD_SECONDS = 3600;
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,100}");

  private final ObjectNode body;

  private SaleInput(ObjectNode body) {
    this.body = body;
  }

  /** @return the body as an object; BAD_REQUEST when it is missing or not a JSON object */
  static SaleInput of(String text) {
    if (text == null || text.isBlank()) {
      throw bad("a JSON object body is required");
    }
    JsonNode node = JsonCodec.parse(text);
    if (!node.isObject()) {
      throw bad("the body must be a JSON object");
    }
    return new SaleInput((ObjectNode) node);
  }

  static SaleInput of(ObjectNode data) {
    return new SaleInput(data);
  }

  boolean has(String field) {
    JsonNode v = body.get(field);
    return v != null && !v.isNull();
  }

  String string(String field, int maxLength) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw bad("field '" + field + "' is required");
    }
    if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > maxLength) {
      throw bad("field '" + field + "' must be a non-empty string of at most " + maxLength + " characters");
    }
    return v.asText();
  }

  String optionalString(String field, int maxLength, String fallback) {
    return has(field) ? string(field, maxLength) : fallback;
  }

  long integer(String field, long min, long max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw bad("field '" + field + "' is required");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw bad("field '" + field + "' must be a whole number from " + min + " to " + max);
    }
    return v.asLong();
  }

  long optionalInteger(String field, long min, long max, long fallback) {
    return has(field) ? integer(field, min, max) : fallback;
  }

  Instant instant(String field) {
    String text = string(field, 64);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw bad("field '" + field + "' must be an ISO-8601 instant such as 2026-01-31T18:00:00Z");
    }
  }

  Instant optionalInstant(String field, Instant fallback) {
    return has(field) ? instant(field) : fallback;
  }

  String currency(String field, String fallback) {
    String c = optionalString(field, 3, fallback);
    if (!CURRENCY.matcher(c).matches()) {
      throw bad("field '" + field + "' must be a 3-letter ISO 4217 code such as EUR");
    }
    return c;
  }

  /** @return a valid idempotency key (1–100 visible ASCII characters), or BAD_REQUEST naming {@code what} */
  static String idempotencyKey(String key, String what) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw bad(what + " is required: 1 to 100 visible ASCII characters, the same on every retry");
    }
    return key;
  }

  static ProtocolException bad(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }
}
