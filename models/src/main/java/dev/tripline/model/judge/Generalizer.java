package dev.tripline.model.judge;

import dev.tripline.model.EventKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Patterns that stand for many targets once a profile is full, the way {@code /tmp/*} stands for
 * temp files: a directory ({@code /srv/media/photos/*}, any depth below), a DNS suffix ({@code
 * *.cdn.example.com}), a peer's domain or /24 with its port ({@code *.example.com:443}, {@code
 * 10.1.2.*:22}), an executable with any arguments ({@code /usr/bin/convert *}). Candidates run from
 * the most specific to the coarsest allowed; never coarser than two path components or two domain
 * labels. Shared by the collector's profile and the protect-mode judge (models).
 */
public final class Generalizer {
  static final int MAX_CANDIDATES = 12;
  private static final java.util.regex.Pattern IPV4 =
      java.util.regex.Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private Generalizer() {}

  /**
   * Candidate patterns for a normalised target of a kind family, most specific first (may be
   * empty).
   */
  public static List<String> candidates(String family, String target) {
    TargetShape shape = TargetShape.NONE;
    try {
      shape = KindShapes.target(EventKind.valueOf(family));
    } catch (IllegalArgumentException e) {
      // not a kind's name: no candidates
    }
    switch (shape) {
      case PATH:
      case RENAMED_PATH:
        return directories(target);
      case CODE:
        return target.startsWith("/") ? directories(target) : List.of();
      case DNS_NAME:
        return domains(target, "", new ArrayList<>());
      case ENDPOINT:
        return peers(target);
      case COMMAND:
        int space = target.indexOf(' ');
        return space > 0 ? List.of(target.substring(0, space) + " *") : List.of();
      case LOCAL_PORT:
      case NONE:
        return List.of(); // a server's ports are few: never generalised
    }
    throw new AssertionError("a target shape without a case"); // every constant has one above
  }

  /** "/a/b/c/d.jpg" -> "/a/b/c/*", "/a/b/*". */
  private static List<String> directories(String target) {
    List<String> out = new ArrayList<>();
    int end = target.lastIndexOf('/');
    while (end > 0 && out.size() < MAX_CANDIDATES) {
      String dir = target.substring(0, end + 1);
      if (dir.chars().filter(c -> c == '/').count() < 3) {
        break;
      }
      out.add(dir + "*");
      end = target.lastIndexOf('/', end - 1);
    }
    return out;
  }

  /**
   * "10.1.2.3:22" -> "10.1.2.*:22"; "a.b.example.com:443" -> "*.b.example.com:443",
   * "*.example.com:443".
   */
  private static List<String> peers(String target) {
    List<String> out = new ArrayList<>();
    int colon = target.lastIndexOf(':');
    if (colon > 0) {
      String host = target.substring(0, colon);
      String port = target.substring(colon);
      if (IPV4.matcher(host).matches()) {
        out.add(host.substring(0, host.lastIndexOf('.') + 1) + "*" + port);
      } else if (host.indexOf(':') < 0) {
        domains(host, port, out);
      }
    }
    return out;
  }

  /** "a.b.example.com" -> "*.b.example.com", "*.example.com". */
  private static List<String> domains(String host, String suffix, List<String> out) {
    int dot = host.indexOf('.');
    while (dot > 0 && out.size() < MAX_CANDIDATES) {
      String rest = host.substring(dot + 1);
      if (rest.indexOf('.') < 0) {
        break;
      }
      out.add("*." + rest + suffix);
      dot = host.indexOf('.', dot + 1);
    }
    return out;
  }

  /** True when a generalised pattern stands for this target (the {@code *} matches anything). */
  public static boolean covers(String pattern, String target) {
    int star =
        pattern.lastIndexOf('*'); // the generalised part; normalised targets may hold earlier *s
    if (star < 0) {
      return pattern.equals(target);
    }
    String prefix = pattern.substring(0, star);
    String suffix = pattern.substring(star + 1);
    return target.length() >= prefix.length() + suffix.length()
        && target.startsWith(prefix)
        && target.endsWith(suffix);
  }
}
