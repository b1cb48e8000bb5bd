package io.dropcast.load.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.load.Fixture;
import io.dropcast.protocol.JsonCodec;
import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The buyer journey of a flash sale, as a Gatling simulation (Java DSL), against a running server.
 *
 * <p>{@link #before()}: a brand (admin REST) gets an API key, a product, a show and a flash sale of
 * {@code units} units that opens {@code openSeconds} after the last viewer has arrived. Each virtual
 * user then: has the brand mint its own viewer token ({@code POST /api/v1/tokens}); connects to
 * {@code /ws?token=…} and checks the hello; joins the show and checks the snapshot lists the sale;
 * waits for the {@code sale.started} event (or, should it miss the event by racing its join, for the
 * countdown to {@code startsAt} plus one ticker period, as a client does); sends {@code sale.reserve}
 * with its own idempotency key, where only {@code ok} or {@code SOLD_OUT} pass; the winners confirm
 * ({@code reservation.confirm} → an order) and retry the reserve with the same key, which must answer
 * the same reservation, now confirmed. {@link #after()} reads the sale's audit and orders over REST
 * and fails the run on oversell, undersell or an inconsistent store.
 *
 * <p>System properties (all optional): {@code dropcast.baseUrl} (http://127.0.0.1:8080),
 * {@code dropcast.adminKey} (else env {@code DROPCAST_ADMIN_KEY}), {@code gatling.users} (200),
 * {@code gatling.rampSeconds} (10), {@code gatling.units} (users / 2), {@code gatling.openSeconds} (3),
 * {@code gatling.p99Ms} (2000: p99 of every request, asserted). Assumes the server's default
 * per-connection request rate; each user sends four requests.
 */
public class BuyerJourneySimulation extends Simulation {
  private static final String BASE = System.getProperty("dropcast.baseUrl", "http://127.0.0.1:8080");
  private static final String ADMIN_KEY = System.getProperty("dropcast.adminKey",
      System.getenv().getOrDefault("DROPCAST_ADMIN_KEY", ""));
  private static final int USERS = Integer.getInteger("gatling.users", 200);
  private static final int RAMP_SECONDS = Integer.getInteger("gatling.rampSeconds", 10);
  private static final int UNITS = Integer.getInteger("gatling.units", Math.max(1, USERS / 2));
  private static final int OPEN_SECONDS = Integer.getInteger("gatling.openSeconds", 3);
  private static final int P99_MS = Integer.getInteger("gatling.p99Ms", 2000);
  /** How long after {@code startsAt} a viewer that saw no {@code sale.started} buys anyway (> sale.tick-ms). */
  private static final long EVENT_GRACE_MS = 2000;

  // Set by before(), read by the virtual users (Gatling runs before() first, on one thread).
  private volatile Fixture brand;
  private volatile String showId;
  private volatile String saleId;
  private volatile Instant startsAt;
  private final AtomicInteger reservedByClients = new AtomicInteger();
  private final AtomicInteger sawStartedEvent = new AtomicInteger();
  private final AtomicInteger joinedLive = new AtomicInteger();
  private final AtomicInteger boughtOnCountdown = new AtomicInteger();

  private final HttpProtocolBuilder protocol = http.baseUrl(BASE)
      .wsBaseUrl(BASE.replaceFirst("^http", "ws"))
      .acceptHeader("application/json")
      .contentTypeHeader("application/json")
      // events that no pending check matched; the wait loop below reads them
      .wsUnmatchedInboundMessageBufferSize(256);

  // No request of its own: Gatling reports no timing for this wait (the counters in after() do).
  private final ChainBuilder waitForSale = exec(
      exec(session -> session.set("saleOpen", "live".equals(session.getString("saleState")))),
      asLongAs(session -> !session.getBoolean("saleOpen")
          && Instant.now().isBefore(startsAt.plusMillis(EVENT_GRACE_MS))).on(
          pause(Duration.ofMillis(50)),
          ws.processUnmatchedMessages((messages, session) -> startedIn(messages)
              ? session.set("saleOpen", true).set("sawEvent", true) : session)),
      exec(session -> {
        if (session.contains("sawEvent")) {
          sawStartedEvent.incrementAndGet();
        } else if (session.getBoolean("saleOpen")) {
          joinedLive.incrementAndGet();
        } else {
          boughtOnCountdown.incrementAndGet();
        }
        return session;
      }));

  private final ScenarioBuilder buyers = scenario("Buyer journey")
      .exec(session -> session.set("userId", "buyer-" + session.userId())
          .set("idempotencyKey", "tap-" + session.userId()))
      .exec(http("POST /api/v1/tokens").post("/api/v1/tokens")
          .header("Authorization", session -> "Bearer " + brand.brandKey)
          .body(StringBody(session -> json(Map.of("role", "viewer", "show", showId,
              "userId", session.getString("userId"), "name", session.getString("userId"), "ttlSeconds", 600))))
          .check(status().is(201), jsonPath("$.token").saveAs("token")))
      .exec(ws("connect /ws").connect("/ws?token=#{token}")
          .await(10).on(ws.checkTextMessage("hello").check(
              jsonPath("$.type").is("hello"),
              jsonPath("$.user.userId").isEL("#{userId}"),
              jsonPath("$.user.role").is("viewer"))))
      .exec(ws("join").sendText(session -> json(Map.of("id", "join", "op", "join", "show", showId)))
          .await(10).on(ws.checkTextMessage("join reply").matching(jsonPath("$.id").is("join")).check(
              jsonPath("$.ok").ofBoolean().is(true),
              jsonPath("$.data.sales[0].id").is(session -> saleId),
              jsonPath("$.data.sales[0].state").saveAs("saleState"))))
      .exec(waitForSale)
      .exec(ws("sale.reserve").sendText(session -> reserve("reserve", session))
          .await(10).on(ws.checkTextMessage("sale.reserve reply").matching(jsonPath("$.id").is("reserve")).check(
              bodyString().transform(BuyerJourneySimulation::outcome).in("OK", "SOLD_OUT").saveAs("outcome"),
              jsonPath("$.data.reservation").optional().saveAs("reservation"))))
      .doIf(session -> "OK".equals(session.getString("outcome"))).then(
          exec(session -> {
            reservedByClients.incrementAndGet();
            return session;
          }),
          exec(ws("reservation.confirm").sendText(session -> json(Map.of("id", "confirm", "op", "reservation.confirm",
                  "data", Map.of("reservation", session.getString("reservation")))))
              .await(10).on(ws.checkTextMessage("reservation.confirm reply").matching(jsonPath("$.id").is("confirm")).check(
                  jsonPath("$.ok").ofBoolean().is(true),
                  jsonPath("$.data.order.id").exists(),
                  jsonPath("$.data.order.reservationId").isEL("#{reservation}"),
                  jsonPath("$.data.order.quantity").ofInt().is(1)))),
          exec(ws("sale.reserve again (same key)").sendText(session -> reserve("again", session))
              .await(10).on(ws.checkTextMessage("sale.reserve again reply").matching(jsonPath("$.id").is("again")).check(
                  jsonPath("$.ok").ofBoolean().is(true),
                  jsonPath("$.data.reservation").isEL("#{reservation}"),
                  jsonPath("$.data.state").is("confirmed")))))
      .exec(ws("close").close());

  {
    setUp(buyers.injectOpen(rampUsers(USERS).during(Duration.ofSeconds(RAMP_SECONDS))))
        .protocols(protocol)
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(P99_MS),
            details("sale.reserve reply").allRequests().count().is((long) USERS),
            details("reservation.confirm reply").allRequests().count().is((long) Math.min(USERS, UNITS)));
  }

  @Override
  public void before() {
    try {
      brand = Fixture.create(BASE, ADMIN_KEY, "Gatling brand " + Instant.now());
      String product = brand.product("GATLING-" + System.currentTimeMillis(), 4900);
      showId = brand.show("host-gatling", List.of(product));
      startsAt = Instant.now().plusSeconds(RAMP_SECONDS + OPEN_SECONDS);
      JsonNode sale = brand.call("POST", "/api/v1/sales", Map.of("productId", product, "showId", showId,
          "priceMinor", 1990, "quantity", UNITS, "perBuyerLimit", 1, "holdSeconds", 600,
          "startsAt", startsAt.toString(), "endsAt", startsAt.plusSeconds(600).toString()));
      saleId = sale.path("id").asText();
      System.out.printf("Dropcast: %d buyers for %d units of sale %s (show %s), opening at %s on %s%n",
          USERS, UNITS, saleId, showId, startsAt, BASE);
    } catch (Exception e) {
      throw new IllegalStateException("could not set up the sale on " + BASE + " (is the server running, "
          + "and is dropcast.adminKey its admin key?): " + e.getMessage(), e);
    }
  }

  @Override
  public void after() {
    JsonNode audit;
    JsonNode orders;
    try {
      audit = brand.call("GET", "/api/v1/sales/" + saleId + "/audit", null);
      orders = brand.call("GET", "/api/v1/orders?show=" + showId, null);
    } catch (Exception e) {
      throw new IllegalStateException("could not read the sale's audit: " + e.getMessage(), e);
    }
    int expected = Math.min(USERS, UNITS);
    System.out.printf("Dropcast: sale audit %s; %d orders; clients reserved %d; %d saw sale.started, "
            + "%d joined it live, %d bought on the countdown%n", audit, orders.path("orders").size(),
        reservedByClients.get(), sawStartedEvent.get(), joinedLive.get(), boughtOnCountdown.get());
    boolean ok = audit.path("consistent").asBoolean()
        && audit.path("sold").asLong() == expected
        && audit.path("held").asLong() == 0
        && reservedByClients.get() == expected
        && orders.path("orders").size() == expected;
    if (!ok) {
      throw new IllegalStateException("sale audit does not match the run: expected " + expected
          + " units sold, one order each, none held; audit " + audit + ", orders " + orders.path("orders").size()
          + ", reserved by clients " + reservedByClients.get());
    }
  }

  private static boolean startedIn(List<WsInboundMessage> messages) {
    for (WsInboundMessage m : messages) {
      if (m instanceof WsInboundMessage.Text text && text.message().contains("\"sale.started\"")) {
        return true;
      }
    }
    return false;
  }

  private String reserve(String id, Session session) {
    return json(Map.of("id", id, "op", "sale.reserve", "data", Map.of("sale", saleId, "quantity", 1,
        "idempotencyKey", session.getString("idempotencyKey"))));
  }

  /** @return "OK" for an ok reply, else the error code */
  private static String outcome(String reply) {
    JsonNode node = JsonCodec.parse(reply);
    return node.path("ok").asBoolean() ? "OK" : node.path("error").path("code").asText("?");
  }

  private static String json(Object value) {
    return JsonCodec.encodeToString(value);
  }
}
