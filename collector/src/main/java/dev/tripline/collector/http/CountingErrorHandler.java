package dev.tripline.collector.http;

import dev.tripline.collector.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's own refusals (malformed request lines, headers or URIs too large, failures escaping a
 * handler) happen before or outside our routes: counted here by status and answered with the same
 * JSON as every other error, {@code {"error": "...", "status": N}} (docs/api.md) — never an HTML
 * page, never a stack trace or an exception's message.
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
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(json(status, reason));
  }

  /** Every method gets the JSON body (Jetty's default writes one for GET, POST and HEAD only). */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (request.getAttribute(ERROR_STATUS) instanceof Integer status) {
      count(status);
    }
    return super.handle(request, response, callback);
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    byte[] body = json(code, message);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** The documented error body; a server failure says no more than its status. */
  static byte[] json(int status, @Nullable String message) {
    String reason = HttpStatus.getMessage(status);
    String text =
        status >= 500 || message == null || message.isBlank()
            ? (status >= 500 ? "internal error" : reason)
            : message.length() > 200 ? message.substring(0, 200) + "…" : message;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", text);
    m.put("status", status);
    return Json.write(m).getBytes(StandardCharsets.UTF_8);
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
