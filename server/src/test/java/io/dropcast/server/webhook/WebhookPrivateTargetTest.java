package io.dropcast.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.server.testing.Await;
import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SSRF guard with {@code webhook.allow-private-targets=false} (the default): a brand cannot point its
 * webhook at the node's own or internal network, neither by writing an internal address nor by a
 * host name that only resolves to one at delivery time. A real receiver on 127.0.0.1 proves that
 * nothing is sent.
 */
class WebhookPrivateTargetTest {
  static TestNode node;
  static Vertx receiverVertx;
  static HttpServer receiver;
  static final AtomicInteger received = new AtomicInteger();

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("webhook.max-attempts", "1", "sale.tick-ms", "100"));
    receiverVertx = Vertx.vertx();
    receiver = Await.await(receiverVertx.createHttpServer().requestHandler(req -> {
      received.incrementAndGet();
      req.response().setStatusCode(204).end();
    }).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    node.close();
    Await.await(receiverVertx.close());
  }

  @Test
  void internal_addresses_and_localhost_are_refused_when_the_webhook_is_set() {
    Brands.BrandKey brand = Brands.create(node, "Prober");
    Rest rest = node.rest();
    int port = receiver.actualPort();
    for (String url : List.of("http://127.0.0.1/", "http://127.0.0.1:" + port + "/hook", "http://10.1.2.3/",
        "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/",
        "http://[::1]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://[::]/",
        "http://localhost/", "https://LOCALHOST:8443/", "http://localhost./", "http://api.localhost/")) {
      Rest.Response put = rest.put("/api/v1/webhooks", brand.key(), Map.of("url", url));
      assertThat(put.status()).as(url + " " + put.text()).isEqualTo(400);
      JsonNode error = put.json().path("error");
      assertThat(error.path("code").asText()).isEqualTo("BAD_REQUEST");
      assertThat(error.path("message").asText()).as(url).contains("'url'").contains("webhook.allow-private-targets");
    }
    assertThat(rest.get("/api/v1/webhooks", brand.key()).status()).isEqualTo(404);
    // A public address is still accepted (nothing is delivered in this test).
    assertThat(rest.put("/api/v1/webhooks", brand.key(), Map.of("url", "https://93.184.215.14/hooks")).status())
        .isEqualTo(200);
  }

  @Test
  void a_host_that_resolves_to_loopback_is_refused_at_delivery_and_nothing_is_sent() throws Exception {
    Brands.BrandKey brand = Brands.create(node, "Rebinder");
    Rest rest = node.rest();
    // A host name (not an IP literal, not "localhost") that resolves to loopback: only the
    // delivery-time check can catch it.
    String host = loopbackName();
    List<String> resolved = java.util.Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress)
        .toList();
    assertThat(resolved).as(host + " resolves to loopback").allMatch(a -> a.startsWith("127.") || a.equals("0:0:0:0:0:0:0:1"));
    String url = "http://" + host + ":" + receiver.actualPort() + "/hook";
    Rest.Response put = rest.put("/api/v1/webhooks", brand.key(), Map.of("url", url));
    assertThat(put.status()).as(put.text()).isEqualTo(200);

    Brands.openSale(node, brand, "MUG");

    JsonNode attempt = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (attempt == null && System.currentTimeMillis() < deadline) {
      JsonNode deliveries = rest.get("/api/v1/webhooks/deliveries", brand.key()).json().path("deliveries");
      if (!deliveries.isEmpty()) {
        attempt = deliveries.get(0);
      } else {
        Thread.sleep(50);
      }
    }
    assertThat(attempt).as("a recorded delivery attempt").isNotNull();
    assertThat(attempt.path("ok").asBoolean()).isFalse();
    assertThat(attempt.path("status").asInt()).isZero();
    assertThat(attempt.path("error").asText()).contains("refused").contains(host).containsAnyOf(resolved.toArray(String[]::new))
        .contains("webhook.allow-private-targets");
    assertThat(received.get()).as("requests that reached the internal receiver").isZero();
  }

  /**
   * @return a name the hosts file maps to a loopback address that is neither {@code localhost} nor
   *     under {@code .localhost} (e.g. the machine's name on 127.0.1.1, or Debian's ip6-loopback);
   *     else the machine's own name
   */
  static String loopbackName() throws Exception {
    Path hosts = Path.of("/etc/hosts");
    if (Files.isReadable(hosts)) {
      for (String line : Files.readAllLines(hosts)) {
        String[] parts = line.replaceAll("#.*", "").trim().split("\\s+");
        if (parts.length > 1 && (parts[0].startsWith("127.") || parts[0].equals("::1"))) {
          for (int i = 1; i < parts.length; i++) {
            String name = parts[i].toLowerCase(java.util.Locale.ROOT);
            if (!name.equals("localhost") && !name.endsWith(".localhost") && name.matches("[a-z0-9.-]+")
                && Character.isLetter(name.charAt(name.length() - 1))) {
              return name;
            }
          }
        }
      }
    }
    return InetAddress.getLocalHost().getHostName();
  }
}
