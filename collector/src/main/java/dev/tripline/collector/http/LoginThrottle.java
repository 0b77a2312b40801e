package dev.tripline.collector.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Budgets for wrong tokens, in fixed one-minute windows: one per client address and one for all
 * addresses together (a guesser with many addresses is throttled as one). Only failures are ever
 * throttled: the caller checks the token first, so a right token is never refused because others
 * guessed from its address (a Prometheus scrape behind a shared NAT, the CLI on the collector's
 * host). Bounded: at most 100 000 addresses are remembered.
 */
final class LoginThrottle {
  static final Duration WINDOW = Duration.ofMinutes(1);

  /** The answer to one wrong token: within budget (0 s), or how long the address must wait. */
  record Verdict(long retryAfterSeconds, boolean global) {
    boolean throttled() {
      return retryAfterSeconds > 0;
    }
  }

  private static final Verdict WITHIN = new Verdict(0, false);

  private record Window(long startNanos, AtomicInteger failures) {}

  private final int perAddress;
  private final int global;
  private final Ticker ticker;
  private final Cache<String, Window> windows;
  private final AtomicReference<Window> everyone;

  LoginThrottle(int perAddress, int global, Ticker ticker) {
    this.perAddress = perAddress;
    this.global = global;
    this.ticker = ticker;
    this.windows =
        Caffeine.newBuilder().expireAfterWrite(WINDOW).maximumSize(100_000).ticker(ticker).build();
    this.everyone = new AtomicReference<>(new Window(ticker.read(), new AtomicInteger()));
  }

  /** Counts a wrong token from {@code address} against both budgets. */
  Verdict failed(String address) {
    long now = ticker.read();
    Window mine = windows.get(address, a -> new Window(now, new AtomicInteger()));
    int n = mine.failures.incrementAndGet();
    Window all = globalWindow(now);
    int total = all.failures.incrementAndGet();
    if (total > global) {
      return new Verdict(secondsLeft(all, now), true);
    }
    return n > perAddress ? new Verdict(secondsLeft(mine, now), false) : WITHIN;
  }

  private Window globalWindow(long now) {
    while (true) {
      Window w = everyone.get();
      if (now - w.startNanos < WINDOW.toNanos()) {
        return w;
      }
      Window fresh = new Window(now, new AtomicInteger());
      if (everyone.compareAndSet(w, fresh)) {
        return fresh;
      }
    }
  }

  private static long secondsLeft(Window w, long now) {
    long left = WINDOW.toNanos() - (now - w.startNanos);
    return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
  }
}
