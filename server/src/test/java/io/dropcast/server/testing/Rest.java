package io.dropcast.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.dropcast.protocol.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A blocking HTTP client for tests (JDK {@link HttpClient}); every call goes over a real socket.
 * Bodies may be given as JSON text or as any object Jackson can serialise.
 */
public final class Rest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI base;

  Rest(URI base) {
    this.base = base;
  }

  /** A response: status, headers and the body parsed as JSON (MissingNode when not JSON). */
  public record Response(int status, Map<String, java.util.List<String>> headers, String text, JsonNode json) {
    /** @return the error code of an error body, or null */
    public String errorCode() {
      return json.path("error").path("code").asText(null);
    }

    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  public Response get(String path, String key) {
    return send("GET", path, key, null, Map.of());
  }

  public Response post(String path, String key, Object body) {
    return send("POST", path, key, body, Map.of());
  }

  public Response put(String path, String key, Object body) {
    return send("PUT", path, key, body, Map.of());
  }

  public Response patch(String path, String key, Object body) {
    return send("PATCH", path, key, body, Map.of());
  }

  public Response delete(String path, String key) {
    return send("DELETE", path, key, null, Map.of());
  }

  /**
   * Sends any request.
   *
   * @param key API key for {@code Authorization: Bearer}, or null for none
   * @param body a String (sent as is) or an object (sent as JSON), or null
   */
  public Response send(String method, String path, String key, Object body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    headers.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      String text = body instanceof String s ? s : JsonCodec.encodeToString(body);
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(text));
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = response.body().isEmpty() ? MissingNode.getInstance() : JsonCodec.mapper().readTree(response.body());
      } catch (Exception notJson) {
        json = MissingNode.getInstance();
      }
      return new Response(response.statusCode(), response.headers().map(), response.body(), json);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    }
  }
}
