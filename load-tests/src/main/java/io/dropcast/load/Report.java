package io.dropcast.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropcast.protocol.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Writes benchmark results as {@code results.json} plus a self-contained {@code report.html} with
 * inline SVG plots (latency percentile curve, throughput over time), and prints a summary table.
 */
public final class Report {
  private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};

  private Report() {}

  /** Writes both files (and each profiled scenario's {@code <scenario>-profile.txt}) into {@code dir}; returns the HTML path. */
  public static Path write(Path dir, List<ScenarioResult> results, ObjectNode environment) throws IOException {
    Files.createDirectories(dir);
    ObjectNode root = JsonCodec.mapper().createObjectNode();
    root.set("environment", environment);
    ArrayNode scenarios = root.putArray("scenarios");
    for (ScenarioResult r : results) {
      ObjectNode s = scenarios.addObject();
      s.put("scenario", r.scenario());
      s.set("parameters", JsonCodec.mapper().valueToTree(r.parameters()));
      s.set("figures", JsonCodec.mapper().valueToTree(r.figures()));
      ArrayNode targets = s.putArray("targets");
      r.targets().forEach(t -> targets.addObject().put("name", t.name()).put("value", t.value())
          .put("comparison", t.comparison()).put("goal", t.goal()).put("unit", t.unit()).put("met", t.met()));
      if (r.latency() != null) {
        ObjectNode lat = s.putObject("latencyMicros");
        lat.put("name", r.latencyName()).put("count", r.latency().getTotalCount());
        for (double p : PERCENTILES) {
          lat.put("p" + trim(p), r.latency().getValueAtPercentile(p));
        }
      }
      if (r.profile() != null) {
        s.put("profile", r.profile());
        Files.writeString(dir.resolve(r.scenario() + "-profile.txt"), r.profile());
      }
      ArrayNode series = s.putArray("throughput");
      r.throughput().forEach(pt -> series.addArray().add(pt[0]).add(pt[1]));
    }
    Files.writeString(dir.resolve("results.json"), JsonCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
    Path html = dir.resolve("report.html");
    Files.writeString(html, html(results, environment));
    return html;
  }

  /** @return a plain-text summary table of every scenario's figures and targets */
  public static String summary(List<ScenarioResult> results) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-12s %-44s %16s %s%n", "scenario", "figure", "value", "target"));
    out.append("-".repeat(96)).append('\n');
    for (ScenarioResult r : results) {
      r.figures().forEach((name, value) -> out.append(String.format(Locale.ROOT, "%-12s %-44s %16s%n",
          r.scenario(), name, format(value))));
      r.targets().forEach(t -> out.append(String.format(Locale.ROOT, "%-12s %-44s %16s %s %s %s%s  %s%n",
          r.scenario(), "TARGET " + t.name(), format(t.value()), t.comparison(), format(t.goal()), t.unit(), "",
          t.met() ? "met" : "MISSED")));
    }
    return out.toString();
  }

  static String format(Object value) {
    if (value instanceof Double d) {
      return Math.abs(d) >= 1000 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.3f", d);
    }
    if (value instanceof Long || value instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
    }
    return String.valueOf(value);
  }

  private static String trim(double p) {
    return p == Math.floor(p) ? Long.toString((long) p) : Double.toString(p);
  }

  private static String html(List<ScenarioResult> results, ObjectNode environment) {
    StringBuilder b = new StringBuilder("""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dropcast benchmark report</title>
        <style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1000px;color:#222}
        table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
        th:first-child,td:first-child{text-align:left}.met{color:#176f2c}.missed{color:#b00020;font-weight:600}
        svg{background:#fafafa;border:1px solid #ddd;margin:.5rem 1rem .5rem 0}</style></head><body>
        <h1>Dropcast benchmark report</h1>
        """);
    b.append("<pre>").append(escape(environment.toPrettyString())).append("</pre>");
    for (ScenarioResult r : results) {
      b.append("<h2>").append(escape(r.scenario())).append("</h2><p>");
      r.parameters().forEach((k, v) -> b.append(escape(k)).append("=").append(escape(String.valueOf(v))).append(" "));
      b.append("</p><table><tr><th>figure</th><th>value</th></tr>");
      r.figures().forEach((k, v) -> b.append("<tr><td>").append(escape(k)).append("</td><td>")
          .append(escape(format(v))).append("</td></tr>"));
      b.append("</table>");
      if (!r.targets().isEmpty()) {
        b.append("<table><tr><th>target</th><th>measured</th><th>goal</th><th></th></tr>");
        r.targets().forEach(t -> b.append("<tr><td>").append(escape(t.name())).append("</td><td>")
            .append(format(t.value())).append("</td><td>").append(escape(t.comparison())).append(' ')
            .append(format(t.goal())).append(' ').append(escape(t.unit())).append("</td><td class=\"")
            .append(t.met() ? "met\">met" : "missed\">missed").append("</td></tr>"));
        b.append("</table>");
      }
      if (r.latency() != null) {
        b.append(latencySvg(r.latency(), r.latencyName()));
      }
      if (!r.throughput().isEmpty()) {
        b.append(throughputSvg(r.throughput(), r.throughputUnit()));
      }
      if (r.profile() != null) {
        b.append("<h3>Server profile</h3><pre>").append(escape(r.profile())).append("</pre>");
      }
    }
    return b.append("</body></html>").toString();
  }

  /** Latency by percentile on a log "nines" axis, the usual HdrHistogram plot. */
  private static String latencySvg(Histogram h, String name) {
    int w = 460;
    int ht = 260;
    int pad = 40;
    double maxNines = 4;
    double maxMs = Math.max(0.001, h.getMaxValue() / 1000.0);
    StringBuilder path = new StringBuilder();
    for (int i = 0; i <= 200; i++) {
      double nines = maxNines * i / 200.0;
      double percentile = 100.0 * (1 - Math.pow(10, -nines));
      double ms = h.getValueAtPercentile(percentile) / 1000.0;
      double x = pad + (w - 2 * pad) * nines / maxNines;
      double y = ht - pad - (ht - 2 * pad) * ms / maxMs;
      path.append(i == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
    }
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w, ht));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\">%s by percentile (ms)</text>", pad, escape(name)));
    String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%"};
    for (int i = 0; i <= 4; i++) {
      double x = pad + (w - 2 * pad) * i / maxNines;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>", x, pad, x, ht - pad));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", x, ht - pad + 14, labels[i]));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.2f</text>", pad, maxMs));
    svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">0</text>", ht - pad));
    svg.append("<path fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" d=\"").append(path).append("\"/></svg>");
    return svg.toString();
  }

  private static String throughputSvg(List<double[]> series, String unit) {
    int w = 460;
    int ht = 260;
    int pad = 40;
    double maxT = series.stream().mapToDouble(p -> p[0]).max().orElse(1);
    double maxV = Math.max(1, series.stream().mapToDouble(p -> p[1]).max().orElse(1));
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < series.size(); i++) {
      double x = pad + (w - 2 * pad) * series.get(i)[0] / Math.max(1, maxT);
      double y = ht - pad - (ht - 2 * pad) * series.get(i)[1] / maxV;
      path.append(i == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
    }
    return String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">"
        + "<text x=\"%d\" y=\"16\">throughput over time (%s)</text>"
        + "<text x=\"4\" y=\"%d\" font-size=\"11\">%s</text><text x=\"4\" y=\"%d\" font-size=\"11\">0</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.0f s</text>"
        + "<path fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\" d=\"%s\"/></svg>",
        w, ht, pad, escape(unit), pad, format(maxV), ht - pad, w - pad, ht - pad + 14, maxT, path);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
