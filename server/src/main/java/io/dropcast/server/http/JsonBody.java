package io.dropcast.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.protocol.ProtocolException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one validator for REST request bodies: parses the body as a JSON object, rejects unknown
 * fields, and reads typed, range-checked fields. Every mistake is a {@code BAD_REQUEST} naming the
 * field, thrown before the caller changes anything (read every field first, then write), so a
 * rejected request is never half-applied.
 *
 * <p>Each reader takes a {@code current} value: it is returned when the field is absent, which makes
 * the same code serve create ({@code current} = default, or null when the field is required) and
 * partial update ({@code current} = the stored value). A JSON {@code null} is a type error except for
 * the {@code optional…} readers, where it clears the value.
 *
 * <p>Serves REST bodies ({@link #of(RoutingContext, String...)}) and the {@code data} object of socket
 * requests ({@link #of(JsonNode, String...)}) alike.
 *
 * <p>Not thread-safe; use one instance per request, on the request's event loop (CPU only).
 */
public final class JsonBody {
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private final ObjectNode node;

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  /**
   * Parses the request body.
   *
   * @param allowedFields every field this route accepts; any other field is a BAD_REQUEST
   * @throws ProtocolException BAD_REQUEST when the body is missing, malformed, not an object or has an
   *     unknown field
   */
  public static JsonBody of(RoutingContext ctx, String... allowedFields) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw bad("request body must be a JSON object");
    }
    return of(JsonCodec.parse(body.getBytes()), allowedFields);
  }

  /** As {@link #of(RoutingContext, String...)} for an already parsed tree. */
  public static JsonBody of(JsonNode tree, String... allowedFields) {
    if (tree == null || !tree.isObject()) {
      throw bad("request body must be a JSON object");
    }
    Set<String> allowed = Set.of(allowedFields);
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw bad("unknown field '" + shorten(name) + "'; allowed: " + String.join(", ", allowedFields));
      }
    }
    return new JsonBody((ObjectNode) tree);
  }

  /** @return true when the body has the field (even if it is null) */
  public boolean has(String field) {
    return node.has(field);
  }

  /**
   * A string of {@code min..max} characters (Unicode code points).
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public String text(String field, int min, int max, String current) {
    JsonNode value = node.get(field);
    if (value == null) {
      return required(field, current);
    }
    if (!value.isTextual()) {
      throw bad("field '" + field + "' must be a string of " + min + " to " + max + " characters");
    }
    String text = value.asText();
    int length = text.codePointCount(0, text.length());
    if (length < min || length > max) {
      throw bad("field '" + field + "' must be " + min + " to " + max + " characters long (got " + length + ")");
    }
    if (hasControlCharacters(text, true)) {
      throw bad("field '" + field + "' must not contain control characters");
    }
    return text;
  }

  /** A string of {@code min..max} characters that also matches {@code pattern} (described by {@code rule}). */
  public String text(String field, int min, int max, Pattern pattern, String rule, String current) {
    JsonNode value = node.get(field);
    String text = text(field, min, max, current);
    if (value != null && !pattern.matcher(text).matches()) {
      throw bad("field '" + field + "' " + rule);
    }
    return text;
  }

  /** A single-line string of {@code min..max} characters without control characters. */
  public String line(String field, int min, int max, String current) {
    String text = text(field, min, max, current);
    if (node.get(field) != null && hasControlCharacters(text, false)) {
      throw bad("field '" + field + "' must be a single line without control characters");
    }
    return text;
  }

  /**
   * An absolute http(s) URL of at most {@code maxLength} characters.
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public String url(String field, int maxLength, String current) {
    JsonNode value = node.get(field);
    String url = text(field, 1, maxLength, current);
    if (value == null) {
      return url;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null || uri.getHost().isEmpty()) {
        throw bad("field '" + field + "' must be an absolute http or https URL");
      }
    } catch (URISyntaxException e) {
      throw bad("field '" + field + "' must be an absolute http or https URL");
    }
    return url;
  }

  /**
   * An optional http(s) URL of at most {@code maxLength} characters; JSON null clears it.
   *
   * @param current returned when the field is absent (may be null)
   * @return the URL, or null
   */
  public String optionalUrl(String field, int maxLength, String current) {
    return isNull(field) ? null : node.has(field) ? url(field, maxLength, null) : current;
  }

  /**
   * An identifier or opaque reference (another object's id, a buyer's user id): a single line of 1 to
   * {@code maxLength} characters that is not all whitespace.
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public String id(String field, int maxLength, String current) {
    JsonNode value = node.get(field);
    String id = line(field, 1, maxLength, current);
    if (value != null && id.isBlank()) {
      throw bad("field '" + field + "' must not be blank");
    }
    return id;
  }

  /**
   * An optional {@link #id}; JSON null clears it.
   *
   * @param current returned when the field is absent (may be null)
   * @return the id, or null
   */
  public String optionalId(String field, int maxLength, String current) {
    return isNull(field) ? null : node.has(field) ? id(field, maxLength, null) : current;
  }

  /**
   * An upper-case ISO 4217 currency code known to the JDK, such as {@code EUR}.
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public String currency(String field, String current) {
    JsonNode value = node.get(field);
    String code = text(field, 3, 3, CURRENCY, "must be an upper-case ISO 4217 code such as EUR", current);
    if (value != null) {
      try {
        Currency.getInstance(code);
      } catch (IllegalArgumentException e) {
        throw bad("field '" + field + "' must be an ISO 4217 currency code; '" + code + "' is not one");
      }
    }
    return code;
  }

  /**
   * An optional string; JSON null clears it.
   *
   * @param current returned when the field is absent (may be null)
   */
  public String optionalText(String field, int min, int max, String current) {
    return isNull(field) ? null : node.has(field) ? text(field, min, max, null) : current;
  }

  /**
   * An integer in {@code min..max} (JSON number without fraction; strings are rejected).
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public long integer(String field, long min, long max, Long current) {
    JsonNode value = node.get(field);
    if (value == null) {
      return required(field, current);
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw bad("field '" + field + "' must be an integer from " + min + " to " + max);
    }
    long n = value.asLong();
    if (n < min || n > max) {
      throw bad("field '" + field + "' must be an integer from " + min + " to " + max + " (got " + n + ")");
    }
    return n;
  }

  /**
   * A JSON boolean.
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public boolean bool(String field, Boolean current) {
    JsonNode value = node.get(field);
    if (value == null) {
      return required(field, current);
    }
    if (!value.isBoolean()) {
      throw bad("field '" + field + "' must be true or false");
    }
    return value.asBoolean();
  }

  /**
   * An ISO-8601 instant such as {@code 2030-01-01T18:00:00Z} (an offset is converted to UTC).
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public Instant instant(String field, Instant current) {
    JsonNode value = node.get(field);
    if (value == null) {
      return required(field, current);
    }
    if (value.isTextual() && value.asText().length() <= 64) {
      try {
        return Instant.parse(value.asText());
      } catch (DateTimeParseException e) {
        // fall through
      }
    }
    throw bad("field '" + field + "' must be an ISO-8601 instant such as 2030-01-01T18:00:00Z");
  }

  /**
   * One of a fixed set of strings.
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public String choice(String field, List<String> choices, String current) {
    JsonNode value = node.get(field);
    if (value == null) {
      return required(field, current);
    }
    if (!value.isTextual() || !choices.contains(value.asText())) {
      throw bad("field '" + field + "' must be one of " + String.join(", ", choices));
    }
    return value.asText();
  }

  /**
   * An array of at most {@code maxItems} distinct strings, each of 1 to {@code maxItemLength} characters.
   *
   * @param current returned when the field is absent; null makes the field required
   */
  public List<String> distinctStrings(String field, int maxItems, int maxItemLength, List<String> current) {
    JsonNode value = node.get(field);
    if (value == null) {
      return required(field, current);
    }
    if (!value.isArray()) {
      throw bad("field '" + field + "' must be an array of strings");
    }
    if (value.size() > maxItems) {
      throw bad("field '" + field + "' must have at most " + maxItems + " items (got " + value.size() + ")");
    }
    List<String> items = new ArrayList<>(value.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isTextual() || item.asText().isEmpty() || item.asText().length() > maxItemLength) {
        throw bad("field '" + field + "[" + i + "]' must be a string of 1 to " + maxItemLength + " characters");
      }
      if (!seen.add(item.asText())) {
        throw bad("field '" + field + "' lists '" + item.asText() + "' more than once");
      }
      items.add(item.asText());
    }
    return List.copyOf(items);
  }

  /** @return a BAD_REQUEST with the message; for route-specific checks in the same style */
  public static ProtocolException bad(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }

  /** @return true when the body has exactly one field, {@code field} */
  public boolean hasOnly(String field) {
    return node.size() == 1 && node.has(field);
  }

  /** @return true when the field is present and JSON null */
  public boolean isNull(String field) {
    JsonNode value = node.get(field);
    return value != null && value.isNull();
  }

  private static <T> T required(String field, T current) {
    if (current == null) {
      throw bad("field '" + field + "' is required");
    }
    return current;
  }

  private static boolean hasControlCharacters(String text, boolean allowWhitespace) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && !(allowWhitespace && (c == '\n' || c == '\r' || c == '\t'))) {
        return true;
      }
    }
    return false;
  }

  private static String shorten(String name) {
    return name.length() > 64 ? name.substring(0, 64) + "…" : name;
  }
}
