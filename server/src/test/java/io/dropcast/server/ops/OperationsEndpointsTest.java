package io.dropcast.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropcast.protocol.client.DropcastClient;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /health}, {@code /ready} and {@code /metrics} over real HTTP. */
class OperationsEndpointsTest {
  static final String PROMTOOL = "/usr/bin/promtool";
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void health_answers_200_up() {
    Rest.Response response = node.rest().get("/health", null);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("status").asText()).isEqualTo("UP");
  }

  @Test
  void ready_answers_200_with_the_memory_store() {
    Rest.Response response = node.rest().get("/ready", null);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("status").asText()).isEqualTo("UP");
    assertThat(response.json().path("store").asText()).isEqualTo("UP");
  }

  @Test
  void metrics_serve_socket_rest_event_loop_and_jvm_meters_in_prometheus_text() throws Exception {
    try (DropcastClient client = node.connect(null)) {
      client.call("ping", null, null);
      client.sendText("{broken");
      assertThat(client.pollEvent(5, TimeUnit.SECONDS)).isNotNull();
      node.rest().get("/health", null);
      node.rest().get("/no/such/path", null);

      Rest.Response response = node.rest().get("/metrics", null);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("content-type")).startsWith("text/plain");
      String text = response.text();
      assertThat(text)
          .contains("# TYPE dropcast_ws_connections gauge")
          .containsPattern("(?m)^dropcast_ws_connections [1-9]")
          .containsPattern("(?m)^dropcast_ws_requests_total\\{op=\"ping\",outcome=\"OK\"} [1-9]")
          .containsPattern("(?m)^dropcast_ws_requests_total\\{op=\"unknown\",outcome=\"BAD_REQUEST\"} [1-9]")
          .containsPattern("(?m)^dropcast_rest_errors_total\\{code=\"NOT_FOUND\"} [1-9]")
          .containsPattern("(?m)^dropcast_event_loop_lag_seconds_count [0-9]")
          .containsPattern("(?m)^jvm_memory_used_bytes\\{")
          .containsPattern("(?m)^vertx_http_server_requests_total\\{code=\"200\",method=\"GET\",route=\"/health\"} [1-9]")
          .containsPattern("(?m)^vertx_http_server_response_time_seconds_count\\{.*route=\"/health\"");
    }
  }

  /** @return promtool from PATH, else {@value #PROMTOOL}, or null when neither exists */
  static File findPromtool() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
      File candidate = new File(dir, "promtool");
      if (!dir.isEmpty() && candidate.isFile() && candidate.canExecute()) {
        return candidate;
      }
    }
    return null;
  }

  @Test
  void metrics_pass_promtool_check_metrics() throws Exception {
    File promtool = findPromtool();
    assertThat(promtool)
        .as("promtool (on PATH or " + PROMTOOL + ") is required for this test: "
            + "apt-get install prometheus; .ci/run installs it")
        .isNotNull();
    try (DropcastClient client = node.connect(null)) {
      client.call("ping", null, null);
      client.sendText("[]");
      client.pollEvent(5, TimeUnit.SECONDS);
      node.rest().get("/ready", null);
      node.rest().get("/api/v1/brands", null);
      String metrics = node.rest().get("/metrics", null).text();

      Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
      process.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("promtool check metrics output:\n" + output).isZero();
    }
  }
}
