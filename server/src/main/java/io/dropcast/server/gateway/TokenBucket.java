package io.dropcast.server.gateway;

/**
 * A token-bucket rate limiter. Not thread-safe: each instance belongs to one connection (or one
 * user in one show) and is used from one event loop.
 */
public final class TokenBucket {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;

  /**
   * @param perSecond sustained rate
   * @param burst bucket size
   */
  public TokenBucket(double perSecond, double burst) {
    this.ratePerNano = perSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  /** @return true and consume one token when available */
  public boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
