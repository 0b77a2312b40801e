package dev.tripline.collector.output;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A token bucket: {@code perSecond} on average, bursts of twice that. One worker thread only. */
final class RateLimit {
  private final double perSecond;
  private final double capacity;
  private double tokens;
  private long last = System.nanoTime();

  RateLimit(int perSecond) {
    this.perSecond = perSecond;
    this.capacity = 2.0 * perSecond;
    this.tokens = capacity;
  }

  /** Waits for a token; false when {@code stop} opened meanwhile. */
  boolean acquire(CountDownLatch stop) throws InterruptedException {
    while (true) {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - last) / 1e9 * perSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      long waitNanos = (long) ((1 - tokens) / perSecond * 1e9);
      if (stop.await(Math.max(1, waitNanos), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
  }
}
