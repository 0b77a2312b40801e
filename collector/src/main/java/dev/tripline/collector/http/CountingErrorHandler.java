package dev.tripline.collector.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own refusals (headers too large, malformed request lines) happen before any handler runs:
 * counted here by status, answered without detail.
 */
final class CountingErrorHandler extends ErrorHandler {
  private final HttpMetrics metrics;

  CountingErrorHandler(HttpMetrics metrics) {
    this.metrics = metrics;
    setShowStacks(false);
    setShowCauses(false);
    setShowMessageInTitle(false);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    count(status);
    return super.badMessageError(status, reason, fields);
  }

  @Override
  public boolean handle(
      org.eclipse.jetty.server.Request request,
      org.eclipse.jetty.server.Response response,
      org.eclipse.jetty.util.Callback callback)
      throws Exception {
    if (request.getAttribute(ERROR_STATUS) instanceof Integer status) {
      count(status);
    }
    return super.handle(request, response, callback);
  }

  private void count(int status) {
    if (status < 400 || status >= 500) {
      return; // only refusals of the client's request, not our own failures
    }
    metrics.rejected(
        status == 431
            ? HttpMetrics.HEADER_TOO_LARGE
            : status == 413 ? HttpMetrics.BODY_TOO_LARGE : HttpMetrics.BAD_REQUEST);
  }
}
