package io.dropcast.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.protocol.JsonCodec;
import io.dropcast.server.testing.TestNode;
import io.vertx.core.internal.VertxInternal;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client may send several requests without waiting (they then reach the server in one TCP read);
 * each is answered exactly once and in the order sent, whichever network transport the node uses
 * (Linux's native epoll, the default where it loads, or Java NIO with {@code native-transport=false}).
 */
class PipelinedRequestsTest {

  @ParameterizedTest(name = "native-transport={0}")
  @ValueSource(booleans = {true, false})
  void requests_sent_in_one_packet_are_each_answered_once_in_order(boolean nativeTransport) throws Exception {
    try (TestNode node = TestNode.start(Map.of("native-transport", Boolean.toString(nativeTransport)))) {
      String transport = ((VertxInternal) node.server().vertx()).transport().getClass().getSimpleName();
      if (!nativeTransport) {
        assertThat(transport).isEqualTo("NioTransport");
      } else if (node.server().vertx().isNativeTransportEnabled()) {
        assertThat(transport).isEqualTo("EpollTransport");
      }
      try (Socket socket = RawSocket.open(node.port())) {
        RawSocket.readText(socket, "\"type\":\"hello\"");
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          // pings, plus requests that fail (an auth without a token, a buyer's op before auth): each gets its reply
          String id = "\"id\":\"p" + i + "\"";
          requests.add(switch (i % 5) {
            case 3 -> "{" + id + ",\"op\":\"auth\",\"data\":{}}";
            case 4 -> "{" + id + ",\"op\":\"sale.reserve\"}";
            default -> "{" + id + ",\"op\":\"ping\"}";
          });
        }
        RawSocket.sendTextsAtOnce(socket, requests);
        for (int i = 0; i < 20; i++) {
          JsonNode reply = JsonCodec.parse(RawSocket.readText(socket, "\"type\":\"reply\""));
          assertThat(reply.path("id").asText()).isEqualTo("p" + i);
          String expected = i % 5 == 3 ? "BAD_REQUEST" : i % 5 == 4 ? "UNAUTHORIZED" : "";
          assertThat(reply.path("error").path("code").asText()).as("reply to p" + i).isEqualTo(expected);
        }
      }
    }
  }
}
