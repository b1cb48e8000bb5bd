package io.dropcast.server.analytics;

/** The analytics-store contract in memory. */
class MemoryAnalyticsStoreTest extends AnalyticsStoreContract {
  private final AnalyticsStore store = new MemoryAnalyticsStore();

  @Override
  protected AnalyticsStore store() {
    return store;
  }
}
