package dev.tripline.collector.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wrong tokens per client address in a fixed one-minute window; past the limit every attempt from
 * that address (even with the right token) answers 429 until the window ends, so guessing costs a
 * minute per {@code limit} tries. Bounded: at most 100 000 addresses are remembered.
 */
final class LoginThrottle {
  static final Duration WINDOW = Duration.ofMinutes(1);

  private record Window(long startNanos, AtomicInteger failures) {}

  private final int limit;
  private final Ticker ticker;
  private final Cache<String, Window> windows;

  LoginThrottle(int limit, Ticker ticker) {
    this.limit = limit;
    this.ticker = ticker;
    this.windows =
        Caffeine.newBuilder().expireAfterWrite(WINDOW).maximumSize(100_000).ticker(ticker).build();
  }

  /** Seconds until {@code address} may try again, or 0 when it may try now. */
  long retryAfterSeconds(String address) {
    Window w = windows.getIfPresent(address);
    if (w == null || w.failures.get() < limit) {
      return 0;
    }
    long left = WINDOW.toNanos() - (ticker.read() - w.startNanos);
    return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
  }

  void failed(String address) {
    windows
        .get(address, a -> new Window(ticker.read(), new AtomicInteger()))
        .failures
        .incrementAndGet();
  }
}
