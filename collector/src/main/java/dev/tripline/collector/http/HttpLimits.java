package dev.tripline.collector.http;

import dev.tripline.collector.config.CollectorConfig;
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

  static HttpLimits from(CollectorConfig config) {
    HttpLimits l =
        new HttpLimits(
            config.getInt("http.max.body.bytes"),
            config.getInt("http.max.header.bytes"),
            config.getDuration("http.idle.timeout"),
            config.getDuration("http.header.timeout"),
            config.getInt("http.min.body.rate"),
            config.getInt("http.threads"),
            config.getInt("http.max.connections"),
            config.getInt("http.max.connections.per.address"),
            config.getInt("http.login.failures"),
            config.getInt("http.login.failures.global"),
            config.getDuration("http.session.ttl"));
    positive("http.max.body.bytes", l.maxBodyBytes);
    positive("http.max.header.bytes", l.maxHeaderBytes);
    positive("http.idle.timeout", l.idleTimeout.toMillis());
    positive("http.header.timeout", l.headerTimeout.toMillis());
    positive("http.min.body.rate", l.minBodyBytesPerSecond);
    positive("http.max.connections", l.maxConnections);
    positive("http.max.connections.per.address", l.maxConnectionsPerAddress);
    positive("http.login.failures", l.loginFailuresPerMinute);
    positive("http.login.failures.global", l.loginFailuresGlobalPerMinute);
    positive("http.session.ttl", l.sessionTtl.toMillis());
    if (l.threads < 4) {
      throw new CollectorConfig.ConfigException(
          "http.threads", "must be at least 4 (one acceptor, one selector, workers)");
    }
    return l;
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new CollectorConfig.ConfigException(key, "must be above 0");
    }
  }
}
