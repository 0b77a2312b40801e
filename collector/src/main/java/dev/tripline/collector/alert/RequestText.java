package dev.tripline.collector.alert;

import dev.tripline.model.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inbound request an alert's event happened in, as people and SIEMs read it: one phrase for the
 * alert's text and the terminal ({@code during POST /import from 127.0.0.1 (forwarded for
 * 203.0.113.7), trace 4bf92f35…}), and OCSF's {@code http_request} and {@code src_endpoint}
 * objects. The forwarded chain is the client's claim, and is always labelled as such.
 */
public final class RequestText {
  /** Forwarded hops named in the text; the rest are counted. */
  static final int HOPS_SHOWN = 3;

  private RequestText() {}

  /** The route template where the server had one, else the raw path. */
  public static String target(RequestContext r) {
    return r.getRoute().isEmpty() ? r.getPath() : r.getRoute();
  }

  /**
   * {@code during GET /owners/{ownerId} from 10.0.0.5 (forwarded for 203.0.113.7), trace
   * 4bf92f35…}.
   */
  public static String during(RequestContext r) {
    StringBuilder sb = new StringBuilder("during ");
    sb.append(r.getMethod().isEmpty() ? "?" : r.getMethod()).append(' ').append(target(r));
    if (!r.getClientAddress().isEmpty()) {
      sb.append(" from ").append(r.getClientAddress());
    }
    if (r.getForwardedForCount() > 0) {
      List<String> hops = r.getForwardedForList();
      sb.append(" (forwarded for ")
          .append(String.join(", ", hops.subList(0, Math.min(HOPS_SHOWN, hops.size()))));
      if (hops.size() > HOPS_SHOWN || r.getForwardedCapped()) {
        sb.append(", …");
      }
      sb.append(')');
    }
    if (!r.getTraceId().isEmpty()) {
      sb.append(", trace ").append(r.getTraceId(), 0, Math.min(8, r.getTraceId().length()));
      sb.append('…');
    }
    return sb.toString();
  }

  /** OCSF {@code http_request}: method, URL (path, query, port), the forwarded chain. */
  public static Map<String, Object> ocsfHttpRequest(RequestContext r) {
    Map<String, Object> url = new LinkedHashMap<>();
    url.put("path", r.getPath());
    if (!r.getQuery().isEmpty()) {
      url.put("query_string", r.getQuery());
    }
    if (r.getServerPort() > 0) {
      url.put("port", r.getServerPort());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("http_method", r.getMethod());
    m.put("url", url);
    if (r.getForwardedForCount() > 0) {
      m.put("x_forwarded_for", new ArrayList<>(r.getForwardedForList()));
    }
    return m;
  }

  /** OCSF {@code src_endpoint}: the peer of the server's socket. */
  public static Map<String, Object> ocsfSrcEndpoint(RequestContext r) {
    return Map.of("ip", r.getClientAddress());
  }

  /** The API's {@code request} object: every field, named as the proto names them. */
  public static Map<String, Object> json(RequestContext r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("server", r.getServer());
    m.put("method", r.getMethod());
    m.put("route", r.getRoute());
    m.put("path", r.getPath());
    m.put("query", r.getQuery());
    m.put("clientAddress", r.getClientAddress());
    m.put("serverPort", r.getServerPort());
    m.put("forwardedFor", new ArrayList<>(r.getForwardedForList()));
    m.put("forwardedByClient", r.getForwardedByClient());
    m.put("traceId", r.getTraceId());
    m.put("spanId", r.getSpanId());
    m.put("pathCapped", r.getPathCapped());
    m.put("queryCapped", r.getQueryCapped());
    m.put("forwardedCapped", r.getForwardedCapped());
    m.put("traceparentDropped", r.getTraceparentDropped());
    return m;
  }
}
