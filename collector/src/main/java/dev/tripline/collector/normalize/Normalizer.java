package dev.tripline.collector.normalize;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns an event's target into the stable form a profile stores, so that normal churn — ephemeral
 * ports, numbered or random path segments, temp files, pids, argument values — is not "new".
 * The profile key is {@code KIND|normalised target}.
 */
public final class Normalizer {
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX = Pattern.compile("(?<![A-Za-z])[0-9a-fA-F]{12,}(?![A-Za-z])");
  private static final Pattern DIGITS = Pattern.compile("\\d{2,}");
  private static final Pattern PROC_PID = Pattern.compile("^/proc/\\d+/");
  private static final Pattern NUMERIC_SEGMENT = Pattern.compile("/\\d+(?=/|$)");
  private static final int EPHEMERAL_PORT_FLOOR = 32768;
  private static final List<String> TEMP_DIRS = List.of("/tmp/", "/var/tmp/", "/dev/shm/");

  private Normalizer() {}

  /** {@code KIND|target}: equal for events a profile should treat as the same behaviour. */
  public static String key(Event e) {
    return kindFamily(e.getKind()) + "|" + target(e);
  }

  /** The normalised, human-readable target. */
  public static String target(Event e) {
    switch (e.getKind()) {
      case NET_CONNECT:
      case DATAGRAM:
        return endpoint(e.getNetwork());
      case NET_LISTEN:
        return ":" + port(e.getNetwork().getPort());
      case NET_ACCEPT:
        // Peers of a server are many and churn (pods, NAT): the behaviour is "accepts on this port".
        return ":" + port(e.getNetwork().getPort());
      case DNS_LOOKUP:
        return e.getDns().getQuery().toLowerCase();
      case FILE_READ:
      case FILE_WRITE:
      case FILE_DELETE:
        return path(e.getFile().getPath());
      case FILE_RENAME:
        return path(e.getFile().getNewPath().isEmpty() ? e.getFile().getPath() : e.getFile().getNewPath());
      case PROCESS_SPAWN:
        return command(e.getProcess().getArgvList(), e.getProcess().getExecutable());
      default:
        return "";
    }
  }

  /** DATAGRAM joins NET_CONNECT ("talks to"), renames count as writes: the profile keeps what matters. */
  public static String kindFamily(EventKind kind) {
    switch (kind) {
      case DATAGRAM:
        return EventKind.NET_CONNECT.name();
      case FILE_RENAME:
        return EventKind.FILE_WRITE.name();
      default:
        return kind.name();
    }
  }

  static String endpoint(NetworkTarget n) {
    String host = n.getHost().isEmpty() ? n.getIp() : n.getHost().toLowerCase();
    return host + ":" + n.getPort();
  }

  static String port(int port) {
    return port >= EPHEMERAL_PORT_FLOOR ? "ephemeral" : Integer.toString(port);
  }

  /** Numeric, UUID and long hex segments become {@code *}; temp files collapse to their directory. */
  public static String path(String path) {
    for (String tmp : TEMP_DIRS) {
      if (path.startsWith(tmp)) {
        return tmp + "*";
      }
    }
    String p = PROC_PID.matcher(path).replaceFirst("/proc/*/");
    p = UUID.matcher(p).replaceAll("*");
    p = HEX.matcher(p).replaceAll("*");
    p = NUMERIC_SEGMENT.matcher(p).replaceAll("/*");
    int slash = p.lastIndexOf('/');
    // Dates and counters inside file names (app-2024-11-24.log, part-00017): keep the shape only.
    return p.substring(0, slash + 1) + DIGITS.matcher(p.substring(slash + 1)).replaceAll("#");
  }

  /** Executable plus the shape of its arguments: flags kept, values generalised. */
  public static String command(List<String> argv, String executable) {
    StringBuilder sb = new StringBuilder(executable);
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      sb.append(' ');
      if (a.startsWith("-")) {
        int eq = a.indexOf('=');
        sb.append(eq > 0 ? a.substring(0, eq + 1) + "*" : a);
      } else if (a.startsWith("/")) {
        sb.append(path(a));
      } else if (a.matches("\\d+") || UUID.matcher(a).matches() || a.length() > 24) {
        sb.append('*');
      } else {
        sb.append(a);
      }
    }
    return sb.toString();
  }
}
