package dev.tripline.collector.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The API's route table: method + path pattern ({@code /alerts/{id}/ack}) → action. A path that
 * matches with another method answers 405 naming the allowed ones; no match answers 404.
 *
 * <p>Paths arrive percent-encoded and are split on '/' <i>before</i> each segment is decoded, so a
 * service named {@code Order Service/v2} is one segment: {@code Order%20Service%2Fv2}.
 */
final class Routes {
  /** What a route does; {@code params} holds the {@code {name}} segments. */
  interface Action {
    void run(Exchange ex, Map<String, String> params, Auth.Principal who);
  }

  private record Route(String method, String[] parts, Action action) {
    @Nullable Map<String, String> match(String[] path) {
      if (path.length != parts.length) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].startsWith("{")) {
          if (path[i].isEmpty()) return null;
          params.put(parts[i].substring(1, parts[i].length() - 1), path[i]);
        } else if (!parts[i].equals(path[i])) {
          return null;
        }
      }
      return params;
    }
  }

  private final List<Route> routes = new ArrayList<>();

  Routes add(String method, String pattern, Action action) {
    routes.add(new Route(method, split(pattern), action));
    return this;
  }

  /**
   * Runs the route for {@code path} (relative to the table's root, percent-encoded, e.g. {@code
   * alerts/42}).
   */
  void dispatch(Exchange ex, String path, Auth.Principal who) {
    String[] parts = split(path);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = decode(parts[i]);
    }
    path = String.join("/", parts);
    Set<String> allowed = new LinkedHashSet<>();
    for (Route r : routes) {
      Map<String, String> params = r.match(parts);
      if (params == null) continue;
      if (r.method.equals(ex.method)) {
        r.action.run(ex, params, who);
        return;
      }
      allowed.add(r.method);
    }
    if (allowed.isEmpty()) {
      throw new HttpError(404, "no such endpoint: /api/" + path);
    }
    throw new HttpError(
        405,
        "method not allowed; use " + String.join(", ", allowed),
        "Allow",
        String.join(", ", allowed));
  }

  /** One path segment, percent-decoded as UTF-8 ('+' stays '+': that is query-string syntax). */
  static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        continue;
      }
      int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
      if (lo < 0) {
        throw HttpError.badRequest("malformed percent-encoding in the path");
      }
      out.write(hi * 16 + lo);
      i += 2;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }
}
