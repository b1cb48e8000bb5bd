package io.dropcast.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Creates what a benchmark needs through the server's public REST API, exactly as a brand would:
 * a brand and its API key (admin), products, a show, tokens. Blocking; call from the benchmark's
 * main thread only.
 */
public final class Fixture {
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  public final String brandId;
  public final String brandKey;

  private Fixture(String base, String brandId, String brandKey) {
    this.base = base;
    this.brandId = brandId;
    this.brandKey = brandKey;
  }

  /** Creates a brand named {@code name} and an API key for it. */
  public static Fixture create(ServerProcess server, String name) throws IOException, InterruptedException {
    return create(server.baseUrl(), ServerProcess.ADMIN_KEY, name);
  }

  /**
   * Creates a brand named {@code name} and an API key for it on any running server.
   *
   * @param baseUrl e.g. {@code http://127.0.0.1:8080}
   * @param adminKey the server's {@code admin.key}
   */
  public static Fixture create(String baseUrl, String adminKey, String name) throws IOException, InterruptedException {
    Fixture admin = new Fixture(baseUrl, null, adminKey);
    JsonNode brand = admin.call("POST", "/api/v1/brands", Map.of("name", name));
    JsonNode key = admin.call("POST", "/api/v1/brands/" + brand.path("id").asText() + "/keys", Map.of());
    return new Fixture(baseUrl, brand.path("id").asText(), key.path("key").asText());
  }

  /** Creates a product and returns its id. */
  public String product(String sku, long priceMinor) throws IOException, InterruptedException {
    return call("POST", "/api/v1/products", Map.of("sku", sku, "title", "Bench " + sku, "description", "",
        "priceMinor", priceMinor, "currency", "EUR")).path("id").asText();
  }

  /** Creates a show for host {@code hostUserId} with the given lineup; guests allowed. */
  public String show(String hostUserId, List<String> lineup) throws IOException, InterruptedException {
    return call("POST", "/api/v1/shows", Map.of("title", "Bench show", "scheduledStart", Instant.now().toString(),
        "hostUserId", hostUserId, "lineup", lineup, "guestsAllowed", true)).path("id").asText();
  }

  /** Mints a token. */
  public String token(String role, String show, String userId) throws IOException, InterruptedException {
    return call("POST", "/api/v1/tokens", Map.of("role", role, "show", show, "userId", userId, "name", userId,
        "ttlSeconds", 3600)).path("token").asText();
  }

  /**
   * Mints {@code count} tokens for users {@code prefix0…} in parallel (64 requests in flight).
   *
   * @return tokens in user order
   */
  public List<String> tokens(String role, String show, String prefix, int count) throws Exception {
    String[] out = new String[count];
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
    List<java.util.concurrent.CompletableFuture<Void>> all = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      inFlight.acquire();
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/tokens"))
          .header("Authorization", "Bearer " + brandKey).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JsonCodec.encodeToString(Map.of("role", role, "show", show,
              "userId", prefix + n, "name", prefix + n, "ttlSeconds", 3600)))).build();
      all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
        if (r.statusCode() != 201) {
          throw new IllegalStateException("token mint failed: " + r.statusCode() + " " + r.body());
        }
        out[n] = JsonCodec.parse(r.body()).path("token").asText();
      }).whenComplete((v, e) -> inFlight.release()));
    }
    java.util.concurrent.CompletableFuture.allOf(all.toArray(new java.util.concurrent.CompletableFuture[0])).get();
    return List.of(out);
  }

  /** Sends a JSON request with the brand (or admin) key; fails on a non-2xx answer. */
  public JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
    return call(method, path, body, Map.of());
  }

  public JsonNode call(String method, String path, Object body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + brandKey)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JsonCodec.encodeToString(body)));
    headers.forEach(b::header);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(method + " " + path + " → " + r.statusCode() + " " + r.body());
    }
    return r.body().isEmpty() ? JsonCodec.mapper().createObjectNode() : JsonCodec.parse(r.body());
  }
}
