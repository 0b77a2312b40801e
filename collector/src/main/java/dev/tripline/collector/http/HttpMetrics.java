package dev.tripline.collector.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code tripline_http_requests_total{method,area}} and {@code
 * tripline_http_rejected_total{reason}}: every refusal of the HTTP port's limits is counted under
 * one reason (docs/operations.md).
 */
final class HttpMetrics {
  static final String BODY_TOO_LARGE = "body_too_large";
  static final String HEADER_TOO_LARGE = "header_too_large";
  static final String BAD_REQUEST = "bad_request";
  static final String MALFORMED_BODY = "malformed_body";
  static final String AUTH_FAILED = "auth_failed";
  static final String LOGIN_THROTTLED = "login_throttled";
  static final String LOGIN_THROTTLED_GLOBAL = "login_throttled_global";
  static final String CONNECTIONS_PER_ADDRESS = "connections_per_address";
  static final String CONNECTIONS_TOTAL = "connections_total";
  static final String CONNECTION_EVICTED = "connection_evicted";
  static final String HEADER_TIMEOUT = "header_timeout";
  static final String BODY_TOO_SLOW = "body_too_slow";

  private final MeterRegistry registry;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String reason :
        new String[] {
          BODY_TOO_LARGE,
          HEADER_TOO_LARGE,
          BAD_REQUEST,
          MALFORMED_BODY,
          AUTH_FAILED,
          LOGIN_THROTTLED,
          LOGIN_THROTTLED_GLOBAL,
          CONNECTIONS_PER_ADDRESS,
          CONNECTIONS_TOTAL,
          CONNECTION_EVICTED,
          HEADER_TIMEOUT,
          BODY_TOO_SLOW
        }) {
      rejectedCounter(reason); // present at 0 from the start, so dashboards can rate() them
    }
  }

  void request(String method, String area) {
    // A bounded tag set: unknown methods are folded, so a client cannot mint series.
    String m =
        switch (method) {
          case "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH" -> method;
          default -> "OTHER";
        };
    Counter.builder("tripline.http.requests")
        .tag("method", m)
        .tag("area", area)
        .register(registry)
        .increment();
  }

  void rejected(String reason) {
    rejectedCounter(reason).increment();
  }

  private Counter rejectedCounter(String reason) {
    return Counter.builder("tripline.http.rejected")
        .description("requests and connections refused by the HTTP port's limits")
        .tag("reason", reason)
        .register(registry);
  }
}
