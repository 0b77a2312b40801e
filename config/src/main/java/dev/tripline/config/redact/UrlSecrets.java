package dev.tripline.config.redact;

import static dev.tripline.config.redact.Redactor.MASK;

/**
 * Credentials in URLs, by position: the password of {@code scheme://user:password@host} (also empty
 * users, {@code redis://:X@h}, and passwords holding {@code @ / ? #}, which people write
 * unencoded), a token standing alone as the user ({@code https://ghp_…@github.com}), and Oracle's
 * {@code jdbc:oracle:thin:user/password@db}. One pass; a URL ends at a blank or a quote.
 */
final class UrlSecrets {
  private UrlSecrets() {}

  static String mask(String s) {
    String r = s.indexOf("://") >= 0 ? userinfo(s) : s;
    return r.indexOf("jdbc:") >= 0 ? oracle(r) : r;
  }

  private static String userinfo(String s) {
    StringBuilder sb = null;
    int copied = 0;
    int i = s.indexOf("://");
    int end = -1; // where the current blank-free run ends: scanned once for all URLs in it
    while (i >= 0) {
      int auth = i + 3;
      if (end < auth) {
        end = auth;
        while (end < s.length() && !isUrlEnd(s.charAt(end))) end++;
      }
      int next = s.indexOf("://", auth);
      int limit = next < 0 || next > end ? end : next; // a URL inside this one is judged on its own
      int hostEnd = auth;
      while (hostEnd < limit && "/?#".indexOf(s.charAt(hostEnd)) < 0) hostEnd++;
      int from = -1;
      int to = -1;
      int at = lastIndexOf(s, '@', auth, hostEnd);
      int colon = indexOf(s, ':', auth, hostEnd);
      if (at >= auth) { // user[:password]@host
        int c = indexOf(s, ':', auth, at);
        if (c >= 0) {
          from = c + 1;
          to = at;
        } else if (at - auth >= 32 || SecretShapes.looksRandom(s, auth, at)) {
          from = auth; // a token as the user: names (git@, deploy-bot@) stay
          to = at;
        }
      } else if (colon >= 0 && !isPort(s, colon + 1, hostEnd)) {
        // user:pa/ss@host: no @ before the first / ? #, but one after it, and no port
        int later = lastIndexOf(s, '@', hostEnd, limit);
        if (later >= hostEnd) {
          from = colon + 1;
          to = later;
        }
      }
      if (from >= copied && to > from && !s.startsWith(MASK, from)) {
        if (sb == null) sb = new StringBuilder(s.length());
        sb.append(s, copied, from).append(MASK);
        copied = to;
      }
      i = next;
    }
    return sb == null ? s : sb.append(s, copied, s.length()).toString();
  }

  /**
   * {@code jdbc:oracle:thin:scott/tiger@db}: the password between the last {@code /} of the user
   * part and the {@code @}.
   */
  private static String oracle(String s) {
    StringBuilder sb = null;
    int copied = 0;
    int i = s.indexOf("jdbc:");
    while (i >= 0) {
      int end = i;
      while (end < s.length() && !isUrlEnd(s.charAt(end))) end++;
      int at = indexOf(s, '@', i, end);
      if (at > 0) {
        int colon = s.lastIndexOf(':', at);
        int slash = indexOf(s, '/', colon + 1, at);
        if (colon > i && slash > colon && slash + 1 < at && !s.startsWith(MASK, slash + 1)) {
          if (sb == null) sb = new StringBuilder(s.length());
          sb.append(s, copied, slash + 1).append(MASK);
          copied = at;
        }
      }
      i = s.indexOf("jdbc:", Math.max(end, i + 5));
    }
    return sb == null ? s : sb.append(s, copied, s.length()).toString();
  }

  private static boolean isPort(String s, int from, int to) {
    if (to - from < 1 || to - from > 5) return false;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    return true;
  }

  /** The last {@code c} in {@code [from, to)}, or -1: never scans outside the range. */
  private static int lastIndexOf(String s, char c, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      if (s.charAt(i) == c) return i;
    }
    return -1;
  }

  private static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) return i;
    }
    return -1;
  }

  private static boolean isUrlEnd(char c) {
    return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
  }
}
