package dev.tripline.collector.http;

import dev.tripline.collector.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * One request and its answer: the parts of Jetty's request the routes use, and ways to reply once.
 */
final class Exchange {
  final Request request;
  final String method;

  /** Decoded path: which page or area. */
  final String path;

  /** The path as sent (percent-encoded): API routes split it before decoding each segment. */
  final String rawPath;

  final Map<String, String> query;
  final byte[] body;
  private final Response response;
  private final Callback callback;
  private boolean answered;

  Exchange(
      Request request,
      Response response,
      Callback callback,
      Map<String, String> query,
      byte[] body) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.method = request.getMethod();
    this.path = Request.getPathInContext(request);
    String raw = request.getHttpURI().getPath();
    this.rawPath = raw == null ? path : raw;
    this.query = query;
    this.body = body;
  }

  String header(String name) {
    return request.getHeaders().get(name);
  }

  String clientAddress() {
    return Request.getRemoteAddr(request);
  }

  boolean answered() {
    return answered;
  }

  void addHeader(String name, String value) {
    response.getHeaders().add(name, value);
  }

  void json(int status, Object body) {
    send(status, "application/json", Json.write(body));
  }

  void error(int status, @Nullable String message) {
    if (status == 401) {
      addHeader("WWW-Authenticate", "Bearer realm=\"tripline\"");
    }
    // Map.of refuses null: an exception without a message must still answer, not throw in the error
    // path
    json(status, Map.of("error", message == null ? "error " + status : message, "status", status));
  }

  void redirect(String location) {
    addHeader("Location", location);
    send(303, "text/plain", "");
  }

  void send(int status, String type, String text) {
    if (answered) {
      return;
    }
    answered = true;
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(new HttpField(HttpHeader.CACHE_CONTROL, "no-store"));
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** Ends the exchange with an error status when the handler failed before answering. */
  void fail(Throwable t) {
    if (!answered) {
      answered = true;
      callback.failed(t);
    }
  }
}
