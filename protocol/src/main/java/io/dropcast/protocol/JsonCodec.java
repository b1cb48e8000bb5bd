package io.dropcast.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.message.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON encoding of protocol messages.
 *
 * <p>Thread-safe: the shared {@link ObjectMapper} is configured once and never mutated afterwards.
 * Decoding failures are reported as {@link ProtocolException} with {@link ErrorCode#BAD_REQUEST}
 * and a message that says what was wrong, never as a Jackson exception.
 */
public final class JsonCodec {
  /** Longest request id accepted. */
  public static final int MAX_ID_LENGTH = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .findAndRegisterModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JsonCodec() {}

  /** @return the shared mapper; callers must not reconfigure it */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Encodes any message (reply, event, hello) to UTF-8 JSON bytes. */
  public static byte[] encode(Object message) {
    try {
      return MAPPER.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** Encodes any message to a JSON string. */
  public static String encodeToString(Object message) {
    return new String(encode(message), StandardCharsets.UTF_8);
  }

  /** Parses JSON text to a tree; malformed JSON becomes a BAD_REQUEST. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "malformed JSON: " + shortReason(e));
    }
  }

  /** Parses JSON bytes to a tree; malformed JSON becomes a BAD_REQUEST. */
  public static JsonNode parse(byte[] utf8) {
    try {
      return MAPPER.readTree(utf8);
    } catch (IOException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "malformed JSON: " + shortReason(e));
    }
  }

  /**
   * Decodes and validates a request envelope.
   *
   * @throws ProtocolException BAD_REQUEST naming the field that is missing or of the wrong type;
   *     {@link #idOf(JsonNode)} still recovers the id where there is one, so the error can be
   *     answered to the right request
   */
  public static Request decodeRequest(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a request must be a JSON object");
    }
    JsonNode id = node.get("id");
    if (id == null || !id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_ID_LENGTH) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          "field 'id' must be a string of 1 to " + MAX_ID_LENGTH + " characters");
    }
    JsonNode op = node.get("op");
    if (op == null || !op.isTextual() || op.asText().isEmpty()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'op' must be a non-empty string");
    }
    JsonNode show = node.get("show");
    if (show != null && !show.isNull() && !show.isTextual()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'show' must be a string");
    }
    JsonNode data = node.get("data");
    ObjectNode dataObject;
    if (data == null || data.isNull()) {
      dataObject = MAPPER.createObjectNode();
    } else if (data.isObject()) {
      dataObject = (ObjectNode) data;
    } else {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'data' must be an object");
    }
    return new Request(id.asText(), op.asText(), show == null || show.isNull() ? null : show.asText(), dataObject);
  }

  /** @return the request id of a possibly invalid request, or null when there is no usable one */
  public static String idOf(JsonNode node) {
    if (node != null && node.isObject()) {
      JsonNode id = node.get("id");
      if (id != null && id.isTextual() && !id.asText().isEmpty() && id.asText().length() <= MAX_ID_LENGTH) {
        return id.asText();
      }
    }
    return null;
  }

  /** Converts a tree to a typed value; a type mismatch becomes a BAD_REQUEST. */
  public static <T> T convert(JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "invalid data: " + shortReason(e));
    }
  }

  /** Converts a tree to a generic typed value; a type mismatch becomes a BAD_REQUEST. */
  public static <T> T convert(JsonNode node, TypeReference<T> type) {
    try {
      return MAPPER.readerFor(type).readValue(node);
    } catch (IOException | IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "invalid data: " + shortReason(e));
    }
  }

  private static String shortReason(Exception e) {
    String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    return message.length() > 200 ? message.substring(0, 200) + "…" : message;
  }
}
