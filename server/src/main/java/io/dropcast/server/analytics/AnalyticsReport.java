package io.dropcast.server.analytics;

import static io.dropcast.server.analytics.AnalyticsFields.*;

import io.dropcast.server.show.Show;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns stored counters into the reports brands read: a show's row (with its products and
 * per-minute series), a host's row over several shows, and CSV. Pure functions; thread-safe.
 *
 * <p>Derived values: conversion rate = buyers / unique viewers; CTR = unique clicks / impressions
 * (both counted once per viewer and product); AOV = revenue / orders; reservation→order rate =
 * orders / reservations; ROI = (revenue − host cost) / host cost; average watch time = watch time /
 * unique viewers. A ratio whose denominator is 0 is null. Ratios have 4 decimals.
 */
public final class AnalyticsReport {
  private AnalyticsReport() {}

  /** Series columns, in order. */
  private static final List<String> SERIES = List.of(VIEWERS, NEW_VIEWERS, WATCH_MS, CHAT, REACTIONS, SHARES, CLICKS,
      RESERVATIONS, ORDERS, REVENUE);

  /** @return the summary row of a show (no products, no series) */
  public static Map<String, Object> showRow(Show show, AnalyticsStore.Totals t) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("showId", show.id());
    row.put("title", show.title());
    row.put("state", show.state().wireName());
    row.put("final", show.state() == Show.State.ENDED);
    row.put("hostUserId", show.hostUserId());
    row.put("startedAt", iso(show.startedAt()));
    row.put("endedAt", iso(show.endedAt()));
    row.put("currentViewers", show.state() == Show.State.LIVE ? t.current() : 0L);
    row.put("peakViewers", t.get(PEAK_VIEWERS));
    row.put("uniqueViewers", t.get(UNIQUE_VIEWERS));
    row.put("watchTimeMs", t.get(WATCH_MS));
    row.put("avgWatchTimeMs", perViewer(t.get(WATCH_MS), t.get(UNIQUE_VIEWERS)));
    row.put("chatMessages", t.get(CHAT));
    row.put("reactions", t.get(REACTIONS));
    row.put("shares", t.get(SHARES));
    row.put("impressions", t.get(IMPRESSIONS));
    row.put("clicks", t.get(CLICKS));
    row.put("uniqueClicks", t.get(CLICKERS));
    row.put("ctr", ratio(t.get(CLICKERS), t.get(IMPRESSIONS)));
    row.put("reservations", t.get(RESERVATIONS));
    row.put("reservedUnits", t.get(RESERVED_UNITS));
    row.put("orders", t.get(ORDERS));
    row.put("units", t.get(UNITS));
    row.put("revenueMinor", t.get(REVENUE));
    row.put("currency", t.currency());
    row.put("buyers", t.get(BUYERS));
    row.put("conversionRate", ratio(t.get(BUYERS), t.get(UNIQUE_VIEWERS)));
    row.put("aovMinor", perViewer(t.get(REVENUE), t.get(ORDERS)));
    row.put("reservationToOrderRate", ratio(t.get(ORDERS), t.get(RESERVATIONS)));
    row.put("hostCostMinor", show.hostCostMinor());
    row.put("hostRoi", roi(t.get(REVENUE), show.hostCostMinor()));
    return row;
  }

  /** @return the full report of a show: its row plus {@code products} and {@code series} */
  public static Map<String, Object> show(Show show, AnalyticsStore.Totals t) {
    Map<String, Object> report = showRow(show, t);
    report.put("products", products(show, t));
    report.put("series", series(t));
    return report;
  }

  /** @return one row per product of the lineup or with any counter, lineup order first */
  static List<Map<String, Object>> products(Show show, AnalyticsStore.Totals t) {
    Set<String> ids = new LinkedHashSet<>(show.lineup());
    for (String field : t.counters().keySet()) {
      if (field.startsWith("p:")) {
        ids.add(field.substring(2, field.lastIndexOf(':')));
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String id : ids) {
      long impressions = t.get(product(id, IMPRESSIONS));
      long clickers = t.get(product(id, CLICKERS));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("productId", id);
      row.put("impressions", impressions);
      row.put("clicks", t.get(product(id, CLICKS)));
      row.put("uniqueClicks", clickers);
      row.put("ctr", ratio(clickers, impressions));
      row.put("reservations", t.get(product(id, RESERVATIONS)));
      row.put("orders", t.get(product(id, ORDERS)));
      row.put("units", t.get(product(id, UNITS)));
      row.put("revenueMinor", t.get(product(id, REVENUE)));
      rows.add(row);
    }
    return rows;
  }

  /** @return one row per minute that has any counter, oldest first */
  static List<Map<String, Object>> series(AnalyticsStore.Totals t) {
    TreeMap<Long, Map<String, Object>> minutes = new TreeMap<>();
    for (String field : t.counters().keySet()) {
      if (field.startsWith("m:")) {
        long minute = Long.parseLong(field.substring(2, field.indexOf(':', 2)));
        minutes.computeIfAbsent(minute, m -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("minute", Instant.ofEpochSecond(m * 60).toString());
          for (String name : SERIES) {
            row.put(name, t.get(minute(m, name)));
          }
          return row;
        });
      }
    }
    return new ArrayList<>(minutes.values());
  }

  /** Adds up show rows per host. */
  public static List<Map<String, Object>> hostRows(List<Map<String, Object>> showRows) {
    Map<String, Map<String, Object>> hosts = new LinkedHashMap<>();
    for (Map<String, Object> s : showRows) {
      Map<String, Object> h = hosts.computeIfAbsent((String) s.get("hostUserId"), id -> {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("hostUserId", id);
        for (String f : List.of("shows", "uniqueViewers", "watchTimeMs", "chatMessages", "reactions", "shares",
            "impressions", "uniqueClicks", "orders", "units", "revenueMinor", "buyers")) {
          row.put(f, 0L);
        }
        row.put("currency", s.get("currency"));
        row.put("hostCostMinor", null);
        return row;
      });
      h.merge("shows", 1L, (a, b) -> (Long) a + (Long) b);
      for (String f : List.of("uniqueViewers", "watchTimeMs", "chatMessages", "reactions", "shares", "impressions",
          "uniqueClicks", "orders", "units", "revenueMinor", "buyers")) {
        h.merge(f, s.get(f), (a, b) -> (Long) a + (Long) b);
      }
      if (h.get("currency") == null) {
        h.put("currency", s.get("currency"));
      } else if (s.get("currency") != null && !s.get("currency").equals(h.get("currency"))) {
        h.put("currency", "MIXED");
      }
      if (s.get("hostCostMinor") != null) {
        h.merge("hostCostMinor", s.get("hostCostMinor"), (a, b) -> (Long) a + (Long) b);
      }
    }
    for (Map<String, Object> h : hosts.values()) {
      long viewers = (Long) h.get("uniqueViewers");
      h.put("conversionRate", ratio((Long) h.get("buyers"), viewers));
      h.put("ctr", ratio((Long) h.get("uniqueClicks"), (Long) h.get("impressions")));
      h.put("aovMinor", perViewer((Long) h.get("revenueMinor"), (Long) h.get("orders")));
      h.put("roi", roi((Long) h.get("revenueMinor"), (Long) h.get("hostCostMinor")));
    }
    return new ArrayList<>(hosts.values());
  }

  static Double ratio(long part, long whole) {
    return whole == 0 ? null
        : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP).doubleValue();
  }

  private static Long perViewer(long total, long n) {
    return n == 0 ? null : Math.round((double) total / n);
  }

  private static Double roi(long revenue, Long cost) {
    return cost == null || cost == 0 ? null : ratio(revenue - cost, cost);
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }

  // ------------------------------------------------------------------------------ CSV

  /**
   * Writes rows as CSV (RFC 4180, CRLF): the header is the union of the rows' keys in first-seen
   * order, preceded by a {@code kind} column; nested values are left out; null is an empty cell.
   * Text cells that a spreadsheet would run as a formula ({@code = + - @}) are prefixed with {@code '}.
   */
  public static String csv(List<Map.Entry<String, Map<String, Object>>> rows) {
    Set<String> columns = new LinkedHashSet<>();
    for (Map.Entry<String, Map<String, Object>> r : rows) {
      r.getValue().forEach((k, v) -> {
        if (!(v instanceof Map) && !(v instanceof List)) {
          columns.add(k);
        }
      });
    }
    StringBuilder out = new StringBuilder("kind");
    for (String c : columns) {
      out.append(',').append(cell(c));
    }
    out.append("\r\n");
    for (Map.Entry<String, Map<String, Object>> r : rows) {
      out.append(cell(r.getKey()));
      for (String c : columns) {
        out.append(',').append(cell(r.getValue().get(c)));
      }
      out.append("\r\n");
    }
    return out.toString();
  }

  private static String cell(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    String s = value.toString();
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
      s = "'" + s;
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      s = "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
