package dev.tripline.collector.http;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import java.time.Duration;

/**
 * What an unauthenticated client may cost the HTTP port (keys {@code http.*}, docs/operations.md).
 */
record HttpLimits(
    int maxBodyBytes,
    int maxHeaderBytes,
    Duration idleTimeout,
    Duration headerTimeout,
    int minBodyBytesPerSecond,
    int threads,
    int maxConnections,
    int maxConnectionsPerAddress,
    int loginFailuresPerMinute,
    int loginFailuresGlobalPerMinute,
    Duration sessionTtl) {

  /**
   * A body over {@link #maxBodyBytes}, up to this size in all, is read to its end and dropped after
   * its 413, so the answer reaches a client still sending ({@link Drain}); a larger declared length
   * is closed unread.
   */
  long drainBytes() {
    return Math.max(8L << 20, 16L * maxBodyBytes);
  }

  /** The bounds (positive, at least 4 threads) are the keys' types, checked once at load. */
  static HttpLimits from(CollectorConfig config) {
    return new HttpLimits(
        config.get(CollectorKeys.HTTP_MAX_BODY_BYTES),
        config.get(CollectorKeys.HTTP_MAX_HEADER_BYTES),
        config.get(CollectorKeys.HTTP_IDLE_TIMEOUT),
        config.get(CollectorKeys.HTTP_HEADER_TIMEOUT),
        config.get(CollectorKeys.HTTP_MIN_BODY_RATE),
        config.get(CollectorKeys.HTTP_THREADS),
        config.get(CollectorKeys.HTTP_MAX_CONNECTIONS),
        config.get(CollectorKeys.HTTP_MAX_CONNECTIONS_PER_ADDRESS),
        config.get(CollectorKeys.HTTP_LOGIN_FAILURES),
        config.get(CollectorKeys.HTTP_LOGIN_FAILURES_GLOBAL),
        config.get(CollectorKeys.HTTP_SESSION_TTL));
  }
}
