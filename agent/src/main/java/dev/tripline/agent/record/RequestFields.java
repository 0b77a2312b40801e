package dev.tripline.agent.record;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.config.redact.Redactor;
import dev.tripline.model.RequestContext;
import org.jspecify.annotations.Nullable;

/**
 * A request's fields as they go on the wire: every one chosen by the client, so every one capped
 * before it is kept, and what was cut or dropped flagged on the context and counted in the agent's
 * health. Pure string work on strings the server already holds: never a body, a cookie or an {@code
 * Authorization} header (nothing here is given one).
 */
final class RequestFields {
  static final int MAX_METHOD = 16;
  static final int MAX_PATH = 2048;
  static final int MAX_QUERY = 1024;
  static final int MAX_ROUTE = 512;
  static final int MAX_ADDRESS = 64;

  /** Forwarded hops kept (the first ones: the client end of the chain as sent). */
  static final int MAX_HOPS = 16;

  /** How far a forwarded header is read: 10 000 hops are never scanned whole. */
  static final int MAX_FORWARDED_CHARS = 2048;

  /** {@code 00-<32 hex>-<16 hex>-<2 hex>}; a later version may append fields after a dash. */
  static final int TRACEPARENT_LENGTH = 55;

  private final @Nullable AgentStats stats;

  RequestFields(@Nullable AgentStats stats) {
    this.stats = stats;
  }

  void method(RequestContext.Builder b, @Nullable String method) {
    if (method != null) {
      String m = visible(method, MAX_METHOD);
      if (!m.equals(method)) {
        count();
      }
      b.setMethod(m);
    }
  }

  /**
   * The raw path: cut at {@value #MAX_PATH}; a character no request line may hold as is (a control
   * character, a blank, anything beyond ASCII — what non-UTF-8 bytes decode to) is percent-encoded
   * (its low byte); secrets in it masked.
   */
  void path(RequestContext.Builder b, @Nullable String path) {
    if (path == null) {
      return;
    }
    String p = visible(path, MAX_PATH);
    if (!p.equals(path)) {
      b.setPathCapped(true);
      count();
    }
    b.setPath(Redactor.text(p));
  }

  void query(RequestContext.Builder b, @Nullable String query) {
    if (query == null || query.isEmpty()) {
      return;
    }
    String q = visible(query, MAX_QUERY);
    if (!q.equals(query)) {
      b.setQueryCapped(true);
      count();
    }
    b.setQuery(Redactor.text(q));
  }

  void route(RequestContext.Builder b, @Nullable Object route) {
    if (route != null) {
      String r = String.valueOf(route);
      String v = visible(r, MAX_ROUTE);
      if (!v.equals(r)) {
        count();
      }
      b.setRoute(v);
    }
  }

  void client(RequestContext.Builder b, @Nullable String address) {
    if (address != null) {
      String a = visible(address, MAX_ADDRESS);
      if (!a.equals(address)) {
        count();
      }
      b.setClientAddress(a);
    }
  }

  /**
   * {@code X-Forwarded-For: a, b, c} and {@code Forwarded: for=a;proto=http, for="[b]"}: the hops
   * as sent, in order, marked as the client's claim. At most {@value #MAX_HOPS} hops, read from the
   * header's first {@value #MAX_FORWARDED_CHARS} characters.
   */
  void forwarded(
      RequestContext.Builder b, @Nullable String xForwardedFor, @Nullable String forwarded) {
    boolean cut = false;
    if (xForwardedFor != null && !xForwardedFor.isEmpty()) {
      cut |= hops(b, xForwardedFor, false);
    }
    if (forwarded != null && !forwarded.isEmpty() && b.getForwardedForCount() < MAX_HOPS) {
      cut |= hops(b, forwarded, true);
    }
    if (b.getForwardedForCount() > 0) {
      b.setForwardedByClient(true);
    }
    if (cut) {
      b.setForwardedCapped(true);
      if (stats != null) stats.requestForwardedCapped();
    }
  }

  /** Adds the hops of one header; true when some were cut. */
  private static boolean hops(RequestContext.Builder b, String header, boolean rfc7239) {
    boolean cut = header.length() > MAX_FORWARDED_CHARS;
    int end = Math.min(header.length(), MAX_FORWARDED_CHARS);
    int start = 0;
    while (start < end) {
      int comma = header.indexOf(',', start);
      int stop = comma < 0 || comma > end ? end : comma;
      String hop = header.substring(start, stop).trim();
      if (rfc7239) {
        hop = forValue(hop);
      }
      if (!hop.isEmpty()) {
        if (b.getForwardedForCount() >= MAX_HOPS) {
          return true;
        }
        String v = visible(hop, MAX_ADDRESS);
        cut |= !v.equals(hop);
        b.addForwardedFor(v);
      }
      start = stop + 1;
    }
    return cut;
  }

  /** The {@code for=} value of one RFC 7239 element, quotes removed; empty when it has none. */
  private static String forValue(String element) {
    for (String pair : element.split(";", 8)) {
      String p = pair.trim();
      if (p.regionMatches(true, 0, "for=", 0, 4)) {
        String v = p.substring(4).trim();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
    }
    return "";
  }

  /**
   * W3C {@code traceparent}: version, 32-hex trace id, 16-hex parent id, 2-hex flags, lower case,
   * neither id all zeros, version {@code ff} invalid. A malformed one is dropped whole (flagged,
   * counted): a half-read id would point an analyst at someone else's trace.
   */
  void traceparent(RequestContext.Builder b, @Nullable String header) {
    if (header == null || header.isEmpty()) {
      return;
    }
    String h = header.trim();
    boolean ok =
        h.length() >= TRACEPARENT_LENGTH
            && h.length() <= 256
            && hex(h, 0, 2)
            && !h.startsWith("ff")
            && h.charAt(2) == '-'
            && hex(h, 3, 35)
            && h.charAt(35) == '-'
            && hex(h, 36, 52)
            && h.charAt(52) == '-'
            && hex(h, 53, 55)
            && (h.length() == TRACEPARENT_LENGTH
                ? true
                : !h.startsWith("00") && h.charAt(TRACEPARENT_LENGTH) == '-')
            && !zeros(h, 3, 35)
            && !zeros(h, 36, 52);
    if (!ok) {
      b.setTraceparentDropped(true);
      if (stats != null) stats.requestTraceparentDropped();
      return;
    }
    b.setTraceId(h.substring(3, 35)).setSpanId(h.substring(36, 52));
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  /**
   * At most {@code max} characters of {@code s}, each a visible ASCII one: others become {@code
   * %XX} of their low byte (a server decodes request bytes as ISO-8859-1, so a non-UTF-8 byte is
   * one char below 256). A cut one ends with {@code …}. Reads no further than it keeps.
   */
  static String visible(String s, int max) {
    StringBuilder out = null;
    int i = 0;
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean plain = c > 0x20 && c < 0x7f;
      int used = out == null ? i : out.length();
      if (used + (plain ? 1 : 3) > max) {
        break;
      }
      if (!plain && out == null) {
        out = new StringBuilder(Math.min(max, s.length() + 16)).append(s, 0, i);
      }
      if (out != null) {
        if (plain) {
          out.append(c);
        } else {
          out.append('%').append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
        }
      }
    }
    if (i == s.length()) {
      return out == null ? s : out.toString();
    }
    return (out == null ? s.substring(0, i) : out.toString()) + "…";
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private void count() {
    if (stats != null) stats.requestFieldCapped();
  }
}
