package io.dropcast.server.analytics;

import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.ApiResponses;
import io.dropcast.server.http.Caller;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.show.Show;
import io.dropcast.server.show.ShowApi;
import io.dropcast.server.store.Stores;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Show analytics over REST (brand API key): {@code GET /shows/{id}/analytics} (one show: summary,
 * products, per-minute series; live while the show runs, {@code final} once it ended) and
 * {@code GET /analytics?from=&to=} (the brand's shows whose start — {@code startedAt}, else
 * {@code scheduledStart} — is in {@code [from, to)}, with per-show and per-host rows). Both answer
 * JSON, or CSV for {@code ?format=csv} or {@code Accept: text/csv}. Another brand's show is
 * NOT_FOUND, exactly like a missing one.
 *
 * <p>Handlers run on the HTTP event loop and only chain store futures.
 */
public final class AnalyticsApi implements ApiModule {
  /** Most shows one brand report reads. */
  public static final int MAX_SHOWS = 500;

  private final AnalyticsService service;
  private final Stores stores;
  private final Clock clock;

  public AnalyticsApi(AnalyticsService service, Stores stores, Clock clock) {
    this.service = service;
    this.stores = stores;
    this.clock = clock;
  }

  @Override
  public void mount(Router api) {
    api.get("/shows/:id/analytics").handler(this::show);
    api.get("/analytics").handler(this::brand);
  }

  private Future<AnalyticsStore.Totals> totals(String showId) {
    return service.store().read(showId, clock.millis(), service.staleMs());
  }

  private void show(RoutingContext ctx) {
    boolean csv;
    try {
      csv = wantsCsv(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    ShowApi.findOwned(stores, Caller.brand(ctx), ctx.pathParam("id"))
        .compose(show -> totals(show.id()).map(t -> AnalyticsReport.show(show, t)))
        .onFailure(ctx::fail)
        .onSuccess(report -> {
          if (!csv) {
            ApiResponses.json(ctx, 200, report);
            return;
          }
          List<Map.Entry<String, Map<String, Object>>> rows = new ArrayList<>();
          rows.add(Map.entry("show", report));
          for (Object p : (List<?>) report.get("products")) {
            rows.add(Map.entry("product", cast(p)));
          }
          for (Object m : (List<?>) report.get("series")) {
            rows.add(Map.entry("minute", cast(m)));
          }
          sendCsv(ctx, "analytics-" + report.get("showId") + ".csv", AnalyticsReport.csv(rows));
        });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object row) {
    return (Map<String, Object>) row;
  }

  private void brand(RoutingContext ctx) {
    String brandId;
    Instant from;
    Instant to;
    boolean csv;
    try {
      brandId = Caller.brand(ctx);
      csv = wantsCsv(ctx);
      from = instantParam(ctx, "from", Instant.EPOCH);
      to = instantParam(ctx, "to", Instant.parse("9999-12-31T23:59:59Z"));
      if (!from.isBefore(to)) {
        throw JsonBody.bad("query parameter 'from' must be before 'to'");
      }
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    stores.shows().listByBrand(brandId).compose(all -> {
      List<Show> shows = new ArrayList<>();
      for (Show s : all) {
        Instant start = s.startedAt() != null ? s.startedAt() : s.scheduledStart();
        if (start != null && !start.isBefore(from) && start.isBefore(to)) {
          shows.add(s);
        }
      }
      if (shows.size() > MAX_SHOWS) {
        return Future.failedFuture(JsonBody.bad("the range holds " + shows.size() + " shows; at most " + MAX_SHOWS
            + " per report: narrow 'from' and 'to'"));
      }
      shows.sort(java.util.Comparator.comparing((Show s) -> s.startedAt() != null ? s.startedAt() : s.scheduledStart())
          .thenComparing(Show::id));
      List<Future<AnalyticsStore.Totals>> reads = shows.stream().map(s -> totals(s.id())).toList();
      return Future.all(reads).map(done -> {
        List<Map<String, Object>> showRows = new ArrayList<>();
        for (int i = 0; i < shows.size(); i++) {
          showRows.add(AnalyticsReport.showRow(shows.get(i), reads.get(i).result()));
        }
        return showRows;
      });
    }).onFailure(ctx::fail).onSuccess(showRows -> {
      List<Map<String, Object>> hostRows = AnalyticsReport.hostRows(showRows);
      if (csv) {
        List<Map.Entry<String, Map<String, Object>>> rows = new ArrayList<>();
        showRows.forEach(r -> rows.add(Map.entry("show", r)));
        hostRows.forEach(r -> rows.add(Map.entry("host", r)));
        sendCsv(ctx, "analytics.csv", AnalyticsReport.csv(rows));
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("from", from.toString());
      body.put("to", to.toString());
      body.put("shows", showRows);
      body.put("hosts", hostRows);
      ApiResponses.json(ctx, 200, body);
    });
  }

  private static Instant instantParam(RoutingContext ctx, String name, Instant absent) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return absent;
    }
    if (values.size() > 1) {
      throw JsonBody.bad("query parameter '" + name + "' may be given once");
    }
    try {
      return java.time.OffsetDateTime.parse(values.get(0)).toInstant();
    } catch (DateTimeParseException e) {
      throw JsonBody.bad("query parameter '" + name + "' must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
    }
  }

  /** @return true for CSV: {@code ?format=csv}, or no {@code format} and an Accept header naming text/csv */
  private static boolean wantsCsv(RoutingContext ctx) {
    List<String> format = ctx.queryParam("format");
    if (format.size() > 1 || (format.size() == 1 && !List.of("json", "csv").contains(format.get(0)))) {
      throw JsonBody.bad("query parameter 'format' must be json or csv");
    }
    if (format.size() == 1) {
      return format.get(0).equals("csv");
    }
    String accept = ctx.request().getHeader("Accept");
    return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/csv");
  }

  private static void sendCsv(RoutingContext ctx, String filename, String csv) {
    ctx.response().setStatusCode(200)
        .putHeader("content-type", "text/csv; charset=utf-8")
        .putHeader("content-disposition", "attachment; filename=\"" + filename + "\"")
        .end(csv);
  }
}
