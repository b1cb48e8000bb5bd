package io.dropcast.server.show;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropcast.server.testing.Brands;
import io.dropcast.server.testing.Rest;
import io.dropcast.server.testing.TestNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShowApiTest {
  static TestNode node;
  static Rest rest;
  static Brands.BrandKey brand;
  static Brands.BrandKey other;
  static String productA;
  static String productB;
  static String othersProduct;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    rest = node.rest();
    brand = Brands.create(node, "Show brand");
    other = Brands.create(node, "Other show brand");
    productA = Brands.product(node, brand, "A");
    productB = Brands.product(node, brand, "B");
    othersProduct = Brands.product(node, other, "X");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Map<String, Object> valid() {
    Map<String, Object> body = new HashMap<>();
    body.put("title", "Summer drop");
    body.put("scheduledStart", "2030-06-01T18:00:00Z");
    body.put("hostUserId", "host-ana");
    body.put("lineup", List.of(productA, productB));
    body.put("sponsored", true);
    body.put("guestsAllowed", true);
    return body;
  }

  /** Moves a show to another lifecycle state the way the live feature does (REST has no route for it). */
  static void setState(String showId, Show.State state) throws Exception {
    var shows = node.server().stores().shows();
    Show show = shows.get(showId).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    shows.update(show.withState(state, Instant.now())).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void brand_schedules_a_show_and_manages_it() {
    Rest.Response created = rest.post("/api/v1/shows", brand.key(), valid());
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonNode s = created.json();
    String id = s.path("id").asText();
    assertThat(id).startsWith("shw_");
    assertThat(s.path("state").asText()).isEqualTo("scheduled");
    assertThat(s.path("scheduledStart").asText()).isEqualTo("2030-06-01T18:00:00Z");
    assertThat(s.path("lineup")).extracting(JsonNode::asText).containsExactly(productA, productB);
    assertThat(s.path("sponsored").asBoolean()).isTrue();
    assertThat(s.path("guestsAllowed").asBoolean()).isTrue();
    assertThat(s.path("startedAt").isNull()).isTrue();

    assertThat(rest.get("/api/v1/shows/" + id, brand.key()).json()).isEqualTo(s);

    Rest.Response patched = rest.patch("/api/v1/shows/" + id, brand.key(),
        Map.of("title", "Summer drop, take 2", "scheduledStart", "2030-06-02T20:00:00+02:00", "lineup", List.of(productB)));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("title").asText()).isEqualTo("Summer drop, take 2");
    assertThat(patched.json().path("scheduledStart").asText()).isEqualTo("2030-06-02T18:00:00Z");
    assertThat(patched.json().path("lineup").get(0).asText()).isEqualTo(productB);
    assertThat(patched.json().path("hostUserId").asText()).isEqualTo("host-ana");

    assertThat(rest.delete("/api/v1/shows/" + id, brand.key()).status()).isEqualTo(204);
    assertThat(rest.get("/api/v1/shows/" + id, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
  }

  @Test
  void flags_default_to_false_and_lineup_to_empty() {
    Rest.Response r = rest.post("/api/v1/shows", brand.key(),
        Map.of("title", "Bare", "scheduledStart", "2030-01-01T00:00:00Z", "hostUserId", "h"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("sponsored").asBoolean()).isFalse();
    assertThat(r.json().path("guestsAllowed").asBoolean()).isFalse();
    assertThat(r.json().path("lineup")).isEmpty();
  }

  static Stream<Arguments> invalidFields() {
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      tooMany.add("prd_" + i);
    }
    return Stream.of(
        Arguments.of("title", null, "required"),
        Arguments.of("title", "", "'title'"),
        Arguments.of("title", "t".repeat(201), "'title'"),
        Arguments.of("scheduledStart", null, "required"),
        Arguments.of("scheduledStart", "tomorrow", "'scheduledStart'"),
        Arguments.of("scheduledStart", 1893456000, "'scheduledStart'"),
        Arguments.of("hostUserId", null, "required"),
        Arguments.of("hostUserId", "h".repeat(65), "'hostUserId'"),
        Arguments.of("lineup", "prd_1", "'lineup'"),
        Arguments.of("lineup", tooMany, "at most 50"),
        Arguments.of("lineup", List.of(1, 2), "'lineup[0]'"),
        Arguments.of("sponsored", "yes", "'sponsored'"),
        Arguments.of("guestsAllowed", 1, "'guestsAllowed'"),
        Arguments.of("state", "live", "unknown field 'state'"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalidFields")
  void invalid_show_fields_are_rejected_naming_the_field(String field, Object value, String expected) {
    int before = rest.get("/api/v1/shows", brand.key()).json().path("items").size();
    Map<String, Object> body = valid();
    if (value == null) {
      body.remove(field);
    } else {
      body.put(field, value);
    }
    Rest.Response r = rest.post("/api/v1/shows", brand.key(), body);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(r.json().path("error").path("message").asText()).contains(expected);
    assertThat(rest.get("/api/v1/shows", brand.key()).json().path("items")).hasSize(before);
  }

  @Test
  void lineup_must_name_distinct_existing_products_of_the_same_brand() {
    Map<String, Object> body = valid();
    body.put("lineup", List.of(productA, othersProduct));
    Rest.Response foreign = rest.post("/api/v1/shows", brand.key(), body);
    assertThat(foreign.status()).isEqualTo(400);
    assertThat(foreign.text()).contains(othersProduct);

    body.put("lineup", List.of("prd_doesnotexist"));
    assertThat(rest.post("/api/v1/shows", brand.key(), body).text()).contains("prd_doesnotexist");

    body.put("lineup", List.of(productA, productA));
    Rest.Response dup = rest.post("/api/v1/shows", brand.key(), body);
    assertThat(dup.status()).isEqualTo(400);
    assertThat(dup.text()).contains(productA).contains("more than once");

    String id = Brands.show(node, brand, "h", List.of(productA));
    Rest.Response patch = rest.patch("/api/v1/shows/" + id, brand.key(), Map.of("lineup", List.of(othersProduct)));
    assertThat(patch.status()).isEqualTo(400);
    assertThat(rest.get("/api/v1/shows/" + id, brand.key()).json().path("lineup").get(0).asText()).isEqualTo(productA);
  }

  @Test
  void shows_can_be_listed_by_state() throws Exception {
    Brands.BrandKey b = Brands.create(node, "States");
    String scheduled = Brands.show(node, b, "h", List.of());
    String live = Brands.show(node, b, "h", List.of());
    String ended = Brands.show(node, b, "h", List.of());
    setState(live, Show.State.LIVE);
    setState(ended, Show.State.LIVE);
    setState(ended, Show.State.ENDED);

    assertThat(rest.get("/api/v1/shows", b.key()).json().path("items").findValuesAsText("id"))
        .containsExactly(scheduled, live, ended);
    assertThat(rest.get("/api/v1/shows?state=scheduled", b.key()).json().path("items").findValuesAsText("id"))
        .containsExactly(scheduled);
    assertThat(rest.get("/api/v1/shows?state=live", b.key()).json().path("items").findValuesAsText("id"))
        .containsExactly(live);
    assertThat(rest.get("/api/v1/shows?state=ended", b.key()).json().path("items").findValuesAsText("id"))
        .containsExactly(ended);
    Rest.Response bad = rest.get("/api/v1/shows?state=paused", b.key());
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text()).contains("'state'");
  }

  @Test
  void live_and_ended_shows_cannot_be_changed_and_live_shows_cannot_be_deleted() throws Exception {
    String live = Brands.show(node, brand, "h", List.of());
    setState(live, Show.State.LIVE);
    Rest.Response patch = rest.patch("/api/v1/shows/" + live, brand.key(), Map.of("title", "Renamed"));
    assertThat(patch.status()).isEqualTo(409);
    assertThat(patch.errorCode()).isEqualTo("CONFLICT");
    assertThat(patch.text()).contains("live");
    Rest.Response delete = rest.delete("/api/v1/shows/" + live, brand.key());
    assertThat(delete.errorCode()).isEqualTo("CONFLICT");
    assertThat(rest.get("/api/v1/shows/" + live, brand.key()).json().path("title").asText()).isEqualTo("Show");

    setState(live, Show.State.ENDED);
    assertThat(rest.patch("/api/v1/shows/" + live, brand.key(), Map.of("title", "Renamed")).errorCode()).isEqualTo("CONFLICT");
    assertThat(rest.delete("/api/v1/shows/" + live, brand.key()).status()).isEqualTo(204);
  }

  @Test
  void another_brands_show_is_not_found_and_stays_unchanged() {
    String theirs = Brands.show(node, other, "their-host", List.of(othersProduct));
    JsonNode before = rest.get("/api/v1/shows/" + theirs, other.key()).json();
    assertThat(rest.get("/api/v1/shows/" + theirs, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.patch("/api/v1/shows/" + theirs, brand.key(), Map.of("title", "hijacked")).errorCode())
        .isEqualTo("NOT_FOUND");
    assertThat(rest.delete("/api/v1/shows/" + theirs, brand.key()).errorCode()).isEqualTo("NOT_FOUND");
    assertThat(rest.get("/api/v1/shows", brand.key()).json().path("items").findValuesAsText("id")).doesNotContain(theirs);
    assertThat(rest.get("/api/v1/shows/" + theirs, other.key()).json()).isEqualTo(before);
  }
}
