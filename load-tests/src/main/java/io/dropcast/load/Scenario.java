package io.dropcast.load;

/** One benchmark scenario. Runs on the benchmark's main thread; may block it. */
public interface Scenario {
  /** @return the name used on the command line */
  String name();

  /** @return parameters for the short version run by {@code all} (under a minute) */
  java.util.Map<String, String> shortParams();

  /** @return parameters for the CI smoke version (seconds) */
  java.util.Map<String, String> smokeParams();

  ScenarioResult run(BenchContext context, Params params) throws Exception;
}
