package dev.tripline.collector.http;

import org.jspecify.annotations.Nullable;

/** A request that ends in an error status with a message for the client (never a stack trace). */
final class HttpError extends RuntimeException {
  final int status;
  final @Nullable String header;
  final @Nullable String headerValue;

  /** The {@code tripline_http_rejected_total} reason this refusal counts under, or null. */
  @Nullable String metric;

  HttpError(int status, String message) {
    this(status, message, null, null);
  }

  HttpError(int status, String message, @Nullable String header, @Nullable String headerValue) {
    super(message, null, false, false);
    this.status = status;
    this.header = header;
    this.headerValue = headerValue;
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  static HttpError malformedBody(String message) {
    HttpError e = new HttpError(400, message);
    e.metric = HttpMetrics.MALFORMED_BODY;
    return e;
  }
}
