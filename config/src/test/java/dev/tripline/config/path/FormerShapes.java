package dev.tripline.config.path;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The two copies {@link PathShapes} replaced, verbatim: the collector's {@code Normalizer.path}
 * (the oracle that the profile keys did not change) and the agent's {@code NamePatterns.of} (which
 * folded every run of digits, coarser than the collector: the hole the property test finds).
 */
final class FormerShapes {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX =
      Pattern.compile("(?<![0-9A-Za-z])[0-9a-fA-F]{12,}+(?![A-Za-z])");
  private static final Pattern DIGITS = Pattern.compile("\\d{2,}");
  private static final Pattern PROC_PID = Pattern.compile("^/proc/\\d+/");
  private static final Pattern NUMERIC_SEGMENT = Pattern.compile("/\\d+(?=/|$)");
  private static final Pattern MKTEMP = Pattern.compile("(?<=/tmp\\.)[A-Za-z0-9]{6,}(?=/|$)");
  private static final List<String> TEMP_DIRS = List.of("/tmp/", "/var/tmp/", "/dev/shm/");

  private FormerShapes() {}

  static String collectorFold(String path) {
    if (path.indexOf("/.") < 0
        && path.indexOf("//") < 0
        && !path.startsWith(".")
        && !path.endsWith("/")) {
      return path;
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

  static String collectorPath(String path) {
    String p = collectorFold(path);
    for (String tmp : TEMP_DIRS) {
      if (p.startsWith(tmp)) {
        String rest = MKTEMP.matcher("/" + p.substring(tmp.length())).replaceAll("*").substring(1);
        p = tmp + collectorTempTokens(rest);
        break;
      }
    }
    p = PROC_PID.matcher(p).replaceFirst("/proc/*/");
    p = UUID.matcher(p).replaceAll("*");
    p = HEX.matcher(p).replaceAll("*");
    p = NUMERIC_SEGMENT.matcher(p).replaceAll("/*");
    int slash = p.lastIndexOf('/');
    return p.substring(0, slash + 1) + DIGITS.matcher(p.substring(slash + 1)).replaceAll("#");
  }

  static String collectorTempTokens(String rest) {
    StringBuilder out = new StringBuilder(rest.length());
    int i = 0;
    int n = rest.length();
    while (i < n) {
      int start = i;
      int digits = 0;
      while (i < n && isAsciiAlnum(rest.charAt(i))) {
        if (Character.isDigit(rest.charAt(i))) digits++;
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

  static @Nullable String agentShape(String path) {
    int slash = path.lastIndexOf('/');
    if (slash < 0 || slash == path.length() - 1) {
      return null;
    }
    boolean temp = false;
    for (String dir : TEMP_DIRS) {
      temp |= path.startsWith(dir);
    }
    StringBuilder out = null;
    int n = path.length();
    int i = slash + 1;
    while (i < n) {
      int start = i;
      int digits = 0;
      while (i < n && isAsciiAlnum(path.charAt(i))) {
        if (path.charAt(i) <= '9') digits++;
        i++;
      }
      if (i == start) {
        if (out != null) out.append(path.charAt(i));
        i++;
        continue;
      }
      String folded = temp && digits >= 2 ? "*" : digits > 0 ? digitsFolded(path, start, i) : null;
      if (folded != null && out == null) {
        out = new StringBuilder(n).append(path, 0, start);
      }
      if (out != null) {
        if (folded != null) out.append(folded);
        else out.append(path, start, i);
      }
    }
    return out == null ? null : out.toString();
  }

  private static String digitsFolded(String path, int start, int end) {
    StringBuilder b = new StringBuilder(end - start);
    for (int i = start; i < end; i++) {
      char c = path.charAt(i);
      if (c <= '9') {
        if (b.length() == 0 || b.charAt(b.length() - 1) != '#') b.append('#');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isAsciiAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
