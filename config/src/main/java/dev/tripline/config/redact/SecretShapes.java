package dev.tripline.config.redact;

import static dev.tripline.config.redact.Redactor.MASK;

import org.jspecify.annotations.Nullable;

/**
 * Secrets recognised by their shape wherever they stand, whatever names them: PEM private keys,
 * JWTs, the key formats of AWS, GitHub, GitLab, Slack, Stripe, Google and npm, and random-looking
 * tokens (mixed case and digits, no word-like runs). Every scan is one pass over the string.
 */
final class SecretShapes {
  /** Prefixes of issued keys, and the shortest key of each (shorter is an ordinary word). */
  private static final String[] PREFIXES = {
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxa-",
    "xoxp-",
    "xoxr-",
    "xoxs-",
    "xoxe-",
    "sk_live_",
    "rk_live_",
    "sk_test_",
    "rk_test_",
    "whsec_",
    "AIza",
    "AKIA",
    "ASIA",
    "npm_",
    "hf_",
    "sk-ant-",
    "sk-proj-",
  };

  private static final int[] MIN_LENGTH = {
    20, 20, 20, 20, 20, 30, 20, 15, 15, 15, 15, 15, 15, 16, 16, 16, 16, 20, 30, 20, 20, 30, 30, 30,
    30,
  };

  /** A random-looking token is at least this long (shorter ones collide with ordinary words). */
  static final int MIN_RANDOM = 20;

  private SecretShapes() {}

  /** {@code s} with every secret-shaped token masked. */
  static String mask(String s) {
    String r = pem(s);
    r = jwts(r);
    return tokens(r);
  }

  /**
   * {@code -----BEGIN … PRIVATE KEY-----}: everything up to the matching END line (or the end of
   * the string, when it was cut) is masked.
   */
  static String pem(String s) {
    int begin = s.indexOf("-----BEGIN ");
    if (begin < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    int copied = 0;
    while (begin >= 0) {
      int headerEnd = s.indexOf("-----", begin + 11);
      if (headerEnd < 0 || headerEnd - begin > 80) {
        begin = s.indexOf("-----BEGIN ", begin + 11);
        continue;
      }
      headerEnd += 5;
      String header = s.substring(begin, headerEnd);
      if (!header.contains("PRIVATE KEY") && !header.contains("ENCRYPTED")) {
        begin = s.indexOf("-----BEGIN ", headerEnd);
        continue;
      }
      int end = s.indexOf("-----END", headerEnd);
      int bodyEnd = end < 0 ? s.length() : end;
      sb.append(s, copied, headerEnd).append(MASK); // (a mask already there is the body)
      copied = bodyEnd;
      begin = end < 0 ? -1 : s.indexOf("-----BEGIN ", end);
    }
    return sb.append(s, copied, s.length()).toString();
  }

  /**
   * JWTs ({@code eyJ…}, three dot-separated base64url parts of 5+ characters). Linear: a candidate
   * that fails is skipped together with its first part, which every candidate inside it shares.
   */
  static String jwts(String s) {
    int i = s.indexOf("eyJ");
    StringBuilder sb = null;
    int copied = 0;
    while (i >= 0) {
      if (i > 0 && isUrlSafe(s.charAt(i - 1)) && s.charAt(i - 1) != '-') {
        i = s.indexOf("eyJ", i + 1); // not at a word boundary
        continue;
      }
      int end = i;
      int firstEnd = -1;
      boolean ok = true;
      for (int part = 0; part < 3 && ok; part++) {
        int start = end;
        while (end < s.length() && isUrlSafe(s.charAt(end))) end++;
        if (part == 0) firstEnd = end;
        ok = end - start >= (part == 0 ? 8 : 5);
        if (ok && part < 2) {
          ok = end < s.length() && s.charAt(end) == '.';
          end++;
        }
      }
      if (ok) {
        if (sb == null) sb = new StringBuilder(s.length());
        sb.append(s, copied, i).append(MASK);
        copied = end;
        i = s.indexOf("eyJ", end);
      } else {
        i = s.indexOf("eyJ", Math.max(i + 1, firstEnd));
      }
    }
    return sb == null ? s : sb.append(s, copied, s.length()).toString();
  }

  /**
   * Runs of token characters ({@code A-Z a-z 0-9 _ - + /}, {@code =} padding at the end) that carry
   * a known key prefix or look random. A run starting with {@code /} is a path, never judged random
   * (its segments may still carry a known prefix).
   */
  static String tokens(String s) {
    StringBuilder sb = null;
    int copied = 0;
    int i = 0;
    while (i < s.length()) {
      if (!isTokenChar(s.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < s.length() && isTokenChar(s.charAt(i))) i++;
      int end = i;
      while (i < s.length() && s.charAt(i) == '=' && i - end < 2) i++; // base64 padding
      int[] hit = secretIn(s, start, end);
      if (hit != null) {
        int to = hit[1] == end ? i : hit[1];
        if (sb == null) sb = new StringBuilder(s.length());
        sb.append(s, copied, hit[0]).append(MASK);
        copied = to;
        i = Math.max(i, to);
      }
    }
    return sb == null ? s : sb.append(s, copied, s.length()).toString();
  }

  /** The part of the run {@code [start, end)} that is a secret, or null. */
  private static int @Nullable [] secretIn(String s, int start, int end) {
    boolean path = s.charAt(start) == '/';
    if (!path && end - start >= MIN_RANDOM && looksRandom(s, start, end)) {
      return new int[] {start, end};
    }
    // a known prefix at the start of the run or of one of its segments (after / + or a blank)
    for (int seg = start; seg < end; ) {
      int segEnd = seg;
      while (segEnd < end && s.charAt(segEnd) != '/' && s.charAt(segEnd) != '+') segEnd++;
      if (knownPrefix(s, seg, segEnd)) {
        return new int[] {seg, segEnd};
      }
      seg = segEnd + 1;
    }
    return null;
  }

  private static boolean knownPrefix(String s, int start, int end) {
    for (int p = 0; p < PREFIXES.length; p++) {
      if (end - start >= MIN_LENGTH[p] && s.startsWith(PREFIXES[p], start)) {
        if (PREFIXES[p].startsWith("AKIA") || PREFIXES[p].startsWith("ASIA")) {
          return end - start == 20 && upperAlnum(s, start, end); // exactly an AWS key id
        }
        return true;
      }
    }
    return false;
  }

  private static boolean upperAlnum(String s, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    }
    return true;
  }

  /**
   * Mixed case and a digit or symbol, switching character class at least once every three
   * characters: random keys do (an AWS secret key switches every other character), identifiers do
   * not ({@code AbstractSingletonProxyFactoryBean2} switches every six), and hex digests, UUIDs and
   * lower-case names have one case only.
   */
  static boolean looksRandom(String s, int start, int end) {
    int upper = 0;
    int lower = 0;
    int other = 0;
    int switches = 0;
    int prev = -1;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      int cls;
      if (c >= 'A' && c <= 'Z') {
        upper++;
        cls = 0;
      } else if (c >= 'a' && c <= 'z') {
        lower++;
        cls = 1;
      } else if (c >= '0' && c <= '9' || c == '+' || c == '/') {
        other++;
        cls = 2;
      } else {
        continue; // _ and - separate words: neutral
      }
      if (prev >= 0 && cls != prev) switches++;
      prev = cls;
    }
    int n = upper + lower + other;
    return upper >= 2 && lower >= 2 && other >= 1 && switches * 3 >= n;
  }

  private static boolean isTokenChar(char c) {
    return isUrlSafe(c) || c == '+' || c == '/';
  }

  static boolean isUrlSafe(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }
}
