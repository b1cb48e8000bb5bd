package io.dropcast.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one scenario run measured: named figures, an optional latency histogram and a throughput time
 * series (one sample per second). Filled by a scenario on the benchmark's main thread.
 */
public final class ScenarioResult {
  private final String scenario;
  private final Map<String, Object> parameters = new LinkedHashMap<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final List<Target> targets = new ArrayList<>();
  private final List<double[]> throughput = new ArrayList<>();
  private String throughputUnit = "per second";
  private Histogram latency;
  private String latencyName = "latency";
  private String profile;

  /** A target from the issue and whether this run met it. */
  public record Target(String name, double value, String comparison, double goal, String unit) {
    public boolean met() {
      return "<=".equals(comparison) ? value <= goal : value >= goal;
    }
  }

  public ScenarioResult(String scenario) {
    this.scenario = scenario;
  }

  public String scenario() {
    return scenario;
  }

  public ScenarioResult parameter(String name, Object value) {
    parameters.put(name, value);
    return this;
  }

  /** Keeps a profiler's table of where the server's CPU went (see {@link PerfProfile}). */
  public void profile(String text) {
    this.profile = text;
  }

  /** @return the profiler's table, or null when the run was not profiled */
  public String profile() {
    return profile;
  }

  public ScenarioResult figure(String name, Object value) {
    figures.put(name, value);
    return this;
  }

  /** Records a target check, e.g. {@code target("deliveries per CPU-second", 1.2e6, ">=", 1e6, "")}. */
  public ScenarioResult target(String name, double value, String comparison, double goal, String unit) {
    targets.add(new Target(name, value, comparison, goal, unit));
    return this;
  }

  /** Adds one throughput sample at {@code secondsSinceStart}. */
  public void throughputSample(double secondsSinceStart, double perSecond) {
    throughput.add(new double[] {secondsSinceStart, perSecond});
  }

  public void throughputUnit(String unit) {
    this.throughputUnit = unit;
  }

  /** Sets the latency histogram (values in microseconds). */
  public void latency(String name, Histogram histogram) {
    this.latencyName = name;
    this.latency = histogram;
  }

  public Map<String, Object> parameters() {
    return parameters;
  }

  public Map<String, Object> figures() {
    return figures;
  }

  public List<Target> targets() {
    return targets;
  }

  public List<double[]> throughput() {
    return throughput;
  }

  public String throughputUnit() {
    return throughputUnit;
  }

  /** @return the latency histogram in µs, or null */
  public Histogram latency() {
    return latency;
  }

  public String latencyName() {
    return latencyName;
  }
}
