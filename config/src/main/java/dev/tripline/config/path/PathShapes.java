package dev.tripline.config.path;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * Folds the parts of a path that change with every run of the same code — numbered or random
 * segments, dates and counters in names, temp files — so that normal churn is not "new".
 *
 * <p>Every rule is local to one path element, which is what lets {@link #nameShape} (the agent's
 * fold of the last element) apply exactly the rules {@link #key} (the collector's) applies to it.
 */
public final class PathShapes {
  /** Directories whose file names are random by design. */
  private static final String[] TEMP_DIRS = {"/tmp/", "/var/tmp/", "/dev/shm/"};

  private PathShapes() {}

  /**
   * Lexical folding: {@code .} and empty segments dropped, {@code ..} removes its parent, and never
   * climbs above the root ({@code /../etc} is {@code /etc}, as the kernel has it). A relative path
   * (only from an old agent) stays relative, with any {@code ..} it cannot resolve kept in front.
   */
  public static String fold(String path) {
    if (path.indexOf("/.") < 0
        && path.indexOf("//") < 0
        && !path.startsWith(".")
        && !path.endsWith("/")) {
      return path; // the common case: already canonical, no allocation
    }
    boolean absolute = path.startsWith("/");
    Deque<String> parts = new ArrayDeque<>();
    int start = 0;
    int n = path.length();
    while (start <= n) {
      int end = path.indexOf('/', start);
      if (end < 0) end = n;
      String seg = path.substring(start, end);
      if (seg.isEmpty() || seg.equals(".")) {
        // skip
      } else if (seg.equals("..")) {
        if (!parts.isEmpty() && !"..".equals(parts.peekLast())) {
          parts.removeLast();
        } else if (!absolute) {
          parts.addLast("..");
        }
      } else {
        parts.addLast(seg);
      }
      start = end + 1;
    }
    String joined = String.join("/", parts);
    return absolute ? "/" + joined : (joined.isEmpty() ? "." : joined);
  }

  /**
   * The temp directory a lexically folded path lies in ({@code "/tmp/"}), or null. A path that is
   * not folded yet may climb out of it ({@code /tmp/../etc/x}): fold first.
   */
  public static @Nullable String tempDir(String folded) {
    for (String tmp : TEMP_DIRS) {
      if (folded.startsWith(tmp)) {
        return tmp;
      }
    }
    return null;
  }

  /**
   * The collector's profile form of a path: folded first; numeric, UUID and long hex elements
   * become {@code *}; in temp directories, random or numbered names ({@code upload-8f3a9c1e.tmp},
   * {@code 12345}, {@code tmp.XyZ123}) become {@code *} too — the name, not the whole tree, so
   * {@code /tmp/app/config.yml} stays itself; runs of two digits or more in the last element become
   * {@code #} ({@code app-2024-11-24.log}, {@code part-00017}).
   */
  public static String key(String path) {
    String p = fold(path);
    boolean temp = tempDir(p) != null;
    StringBuilder out = null; // only when an element folds: most paths come back as they are
    int n = p.length();
    int start = 0;
    while (start <= n) {
      int slash = p.indexOf('/', start);
      int end = slash < 0 ? n : slash;
      String folded = element(p, start, end, start > 0, temp, slash < 0);
      if (folded != null && out == null) {
        out = new StringBuilder(n).append(p, 0, start);
      }
      if (out != null) {
        if (folded != null) out.append(folded);
        else out.append(p, start, end);
        if (slash >= 0) out.append('/');
      }
      start = end + 1;
    }
    return out == null ? p : out.toString();
  }

  /**
   * The agent's shape of a path: the path folded, its directory kept exactly and its last element
   * folded as {@link #key} folds it, or null when the name has nothing to fold (or there is no
   * name). Two paths of one shape here have one {@link #key}: their directories are equal, so are
   * their keys' directories, and their names fold alike by the same rules.
   */
  public static @Nullable String nameShape(String path) {
    String p = fold(path);
    int slash = p.lastIndexOf('/');
    int n = p.length();
    if (slash < 0 || slash == n - 1) {
      return null;
    }
    String folded = element(p, slash + 1, n, true, tempDir(p) != null, true);
    return folded == null ? null : p.substring(0, slash + 1) + folded;
  }

  /**
   * One element {@code p[from, to)} as {@link #key} has it, or null when it is unchanged. {@code
   * slashed}: a '/' precedes it (a bare relative name is never "a numeric element"); {@code last}:
   * the name, where the digit rule applies.
   */
  private static @Nullable String element(
      String p, int from, int to, boolean slashed, boolean temp, boolean last) {
    if (!mayFold(p, from, to, temp)) {
      return null; // no digit, no run of twelve hex digits, no mktemp name
    }
    String s = p.substring(from, to);
    String e = s;
    if (temp) {
      e = tempTokens(isMktemp(e) ? "tmp.*" : e);
    }
    e = hexRuns(uuids(e));
    if (slashed && allDigits(e)) {
      e = "*";
    }
    if (last) {
      e = digitRuns(e);
    }
    return e.equals(s) ? null : e;
  }

  /** Whether any rule could change {@code p[from, to)}: every rule needs one of these. */
  private static boolean mayFold(String p, int from, int to, boolean temp) {
    if (temp && p.startsWith("tmp.", from)) {
      return true;
    }
    int hexRun = 0;
    for (int i = from; i < to; i++) {
      char c = p.charAt(i);
      if (c >= '0' && c <= '9') {
        return true;
      }
      hexRun = isHex(c) ? hexRun + 1 : 0;
      if (hexRun >= 12) { // a hash, or the last group of a UUID
        return true;
      }
    }
    return false;
  }

  /** mktemp's default names: {@code tmp.AbCdEfGhIj} (six or more letters and digits). */
  private static boolean isMktemp(String e) {
    if (!e.startsWith("tmp.") || e.length() < 10) {
      return false;
    }
    for (int i = 4; i < e.length(); i++) {
      if (!isAsciiAlnum(e.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static final String UUID_SHAPE = "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh";

  /** Each UUID, wherever it starts (leftmost first), as {@code *}. */
  private static String uuids(String e) {
    int n = e.length();
    if (n < UUID_SHAPE.length()) {
      return e;
    }
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i + UUID_SHAPE.length() <= n) {
      if (isUuidAt(e, i)) {
        if (out == null) out = new StringBuilder(n);
        out.append(e, copied, i).append('*');
        i += UUID_SHAPE.length();
        copied = i;
      } else {
        i++;
      }
    }
    return out == null ? e : out.append(e, copied, n).toString();
  }

  private static boolean isUuidAt(String e, int at) {
    for (int k = 0; k < UUID_SHAPE.length(); k++) {
      char c = e.charAt(at + k);
      if (UUID_SHAPE.charAt(k) == '-' ? c != '-' : !isHex(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Each run of twelve hex digits or more that starts a word (no letter or digit before it) and is
   * not followed by a letter, as {@code *}: a hash or a random id, not a word like {@code
   * deadbeefcafe-ish}.
   */
  private static String hexRuns(String e) {
    int n = e.length();
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i < n) {
      if (!isHex(e.charAt(i)) || (i > 0 && isAsciiAlnum(e.charAt(i - 1)))) {
        i++;
        continue;
      }
      int j = i;
      while (j < n && isHex(e.charAt(j))) j++;
      if (j - i >= 12 && (j == n || !isAsciiLetter(e.charAt(j)))) {
        if (out == null) out = new StringBuilder(n);
        out.append(e, copied, i).append('*');
        copied = j;
      }
      i = j;
    }
    return out == null ? e : out.append(e, copied, n).toString();
  }

  /** The digit rule: each run of two digits or more (a counter, a date part) as {@code #}. */
  private static String digitRuns(String e) {
    int n = e.length();
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i < n) {
      if (!isDigit(e.charAt(i))) {
        i++;
        continue;
      }
      int j = i;
      while (j < n && isDigit(e.charAt(j))) j++;
      if (j - i >= 2) {
        if (out == null) out = new StringBuilder(n);
        out.append(e, copied, i).append('#');
        copied = j;
      }
      i = j;
    }
    return out == null ? e : out.append(e, copied, n).toString();
  }

  private static boolean allDigits(String e) {
    if (e.isEmpty()) {
      return false;
    }
    for (int i = 0; i < e.length(); i++) {
      if (!isDigit(e.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The token rule, in a temp directory: each run of ASCII letters and digits holding two digits or
   * more ("8f3a9c1e", "XyZ123", "12345") becomes {@code *}.
   */
  public static String tempTokens(String rest) {
    StringBuilder out = new StringBuilder(rest.length());
    int i = 0;
    int n = rest.length();
    while (i < n) {
      int start = i;
      int digits = 0;
      while (i < n && isAsciiAlnum(rest.charAt(i))) {
        if (isDigit(rest.charAt(i))) digits++;
        i++;
      }
      if (i > start) {
        out.append(digits >= 2 ? "*" : rest, digits >= 2 ? 0 : start, digits >= 2 ? 1 : i);
      } else {
        out.append(rest.charAt(i++));
      }
    }
    return out.toString();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAsciiAlnum(char c) {
    return isAsciiLetter(c) || isDigit(c);
  }
}
