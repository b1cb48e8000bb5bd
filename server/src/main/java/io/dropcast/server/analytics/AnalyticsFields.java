package io.dropcast.server.analytics;

/**
 * Names of the stored analytics counters of a show (one flat map of longs per show). Totals use
 * the plain names; per product {@code p:<productId>:<name>}; per minute {@code m:<epochMinute>:<name>}.
 * {@link #PEAK_VIEWERS} and the per-minute {@link #VIEWERS} hold maxima, the rest sums.
 */
public final class AnalyticsFields {
  private AnalyticsFields() {}

  public static final String UNIQUE_VIEWERS = "uniqueViewers";
  public static final String PEAK_VIEWERS = "peakViewers";
  /** Per minute: the most viewers present at a flush in that minute. */
  public static final String VIEWERS = "viewers";
  public static final String NEW_VIEWERS = "newViewers";
  public static final String WATCH_MS = "watchMs";
  public static final String CHAT = "chatMessages";
  public static final String REACTIONS = "reactions";
  public static final String SHARES = "shares";
  public static final String CLICKS = "clicks";
  /** Distinct (product, viewer) pairs that clicked. */
  public static final String CLICKERS = "clickers";
  public static final String IMPRESSIONS = "impressions";
  public static final String RESERVATIONS = "reservations";
  public static final String RESERVED_UNITS = "reservedUnits";
  public static final String ORDERS = "orders";
  public static final String UNITS = "units";
  public static final String REVENUE = "revenueMinor";
  public static final String BUYERS = "buyers";

  /** @return the field of one product's counter */
  public static String product(String productId, String name) {
    return "p:" + productId + ":" + name;
  }

  /** @return the field of one minute's counter */
  public static String minute(long epochMinute, String name) {
    return "m:" + epochMinute + ":" + name;
  }
}
