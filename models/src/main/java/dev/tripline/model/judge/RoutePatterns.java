package dev.tripline.model.judge;

import dev.tripline.model.Event;
import dev.tripline.model.RequestContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code route=} condition of a known-bad rule: the inbound request the behaviour served, by
 * path globs ({@code *} within one segment, {@code **} across segments: {@code /debug/**}, {@code
 * /actuator/*}). A pattern is matched against the framework's route template when the request has
 * one ({@code /owners/{ownerId}}: the server's own decision, which the client cannot spell
 * differently) and against the request's raw path made canonical the way a server resolves it —
 * path parameters ({@code ;jsessionid=…}, {@code ..;/}) dropped, escapes decoded, repeated slashes
 * and dot segments resolved, case kept — so {@code //debug/./x}, {@code /debug;a=b/x} and {@code
 * /%64ebug/x} do not step around {@code /debug/**}. Either matching holds. An event outside any
 * request never holds.
 */
final class RoutePatterns {
  /** Longest raw path made canonical: the agent caps paths far below this already. */
  static final int MAX_PATH = 8192;

  private final List<Pattern> patterns;

  private RoutePatterns(List<Pattern> patterns) {
    this.patterns = patterns;
  }

  /** {@code value}: comma-separated globs, each starting with '/'. */
  static RoutePatterns parse(String value, String at) {
    List<Pattern> out = new ArrayList<>();
    for (String g : value.split(",", -1)) {
      String p = g.trim();
      if (p.isEmpty()) continue;
      if (!p.startsWith("/")) {
        throw new IllegalArgumentException(at + "a route pattern starts with '/', not '" + p + "'");
      }
      out.add(glob(p));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(at + "route= names no pattern");
    }
    return new RoutePatterns(List.copyOf(out));
  }

  boolean holds(Event e) {
    if (!e.hasRequest()) return false;
    RequestContext r = e.getRequest();
    if (!r.getRoute().isEmpty() && any(r.getRoute())) return true;
    return !r.getPath().isEmpty() && any(canonical(r.getPath()));
  }

  private boolean any(String path) {
    for (Pattern p : patterns) {
      if (p.matcher(path).matches()) return true;
    }
    return false;
  }

  /**
   * {@code /**} (at the end, or as a whole segment in the middle) any number of segments, none
   * included; {@code **} elsewhere any characters; {@code *} any characters but '/'; the rest
   * literal.
   */
  static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    while (i < g.length()) {
      if (g.startsWith("/**/", i)) {
        re.append("(?:/.*)?/"); // "/a/**/b" holds for "/a/b" and "/a/x/y/b"
        i += 4;
      } else if (g.startsWith("/**", i) && i + 3 == g.length()) {
        re.append("(?:/.*)?"); // "/debug/**" holds for "/debug" itself too
        i += 3;
      } else if (g.startsWith("**", i)) {
        re.append(".*");
        i += 2;
      } else if (g.charAt(i) == '*') {
        re.append("[^/]*");
        i++;
      } else {
        int next = i + 1;
        while (next < g.length() && g.charAt(next) != '*' && g.charAt(next) != '/') next++;
        re.append(Pattern.quote(g.substring(i, next)));
        i = next;
      }
    }
    return Pattern.compile(re.toString());
  }

  /**
   * The path as a server resolves it: the query cut, each segment's path parameters dropped, its
   * escapes decoded (once, as servers do: {@code %252e} stays {@code %2e}), empty and "." segments
   * dropped, ".." taking back the segment before it (never above the root).
   */
  static String canonical(String raw) {
    String p = raw.length() > MAX_PATH ? raw.substring(0, MAX_PATH) : raw;
    int q = p.indexOf('?');
    if (q >= 0) p = p.substring(0, q);
    Deque<String> out = new ArrayDeque<>();
    for (String segment : p.split("/", -1)) {
      int semi = segment.indexOf(';');
      String s = decode(semi >= 0 ? segment.substring(0, semi) : segment);
      // a decoded '/' or '\' inside one segment is not a separator to a server that rejects it,
      // but is to one that allows it: split again so both spellings meet the pattern
      for (String part : s.replace('\\', '/').split("/", -1)) {
        if (part.isEmpty() || part.equals(".")) continue;
        if (part.equals("..")) {
          out.pollLast();
        } else {
          out.addLast(part);
        }
      }
    }
    return "/" + String.join("/", out);
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0) return s;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          b.append((char) (hi * 16 + lo)); // a byte as a char: only ASCII meets a pattern
          i += 2;
          continue;
        }
      }
      b.append(c);
    }
    return b.toString();
  }
}
