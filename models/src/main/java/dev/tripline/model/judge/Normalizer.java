package dev.tripline.model.judge;

import dev.tripline.config.path.PathShapes;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns an event's target into the stable form a profile stores, so that normal churn — ephemeral
 * ports, numbered or random path segments, temp files, pids, argument values — is not "new". The
 * profile key is {@code KIND|normalised target}.
 *
 * <p>Files are judged on what the kernel touched: the agent's symlink-resolved {@code real_path}
 * when set, else {@code path}, and folded again here ({@code .}, {@code ..}, {@code //}) so an old
 * or forged event cannot hide a traversal behind a known directory.
 */
public final class Normalizer {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final int EPHEMERAL_PORT_FLOOR = 32768;

  private Normalizer() {}

  /** {@code KIND|target}: equal for events a profile should treat as the same behaviour. */
  public static String key(Event e) {
    return key(e.getKind(), target(e));
  }

  /** The profile key of a normalised target of a kind. */
  public static String key(EventKind kind, String target) {
    return kindFamily(kind) + "|" + target;
  }

  /** The kind family of a profile key ({@code NET_CONNECT} of {@code NET_CONNECT|db:5432}). */
  public static String familyOf(String key) {
    int bar = key.indexOf('|');
    return bar < 0 ? key : key.substring(0, bar);
  }

  /** The normalised target of a profile key ({@code db:5432} of {@code NET_CONNECT|db:5432}). */
  public static String targetOf(String key) {
    return key.substring(key.indexOf('|') + 1);
  }

  /**
   * The normalised, human-readable target, by the shape of the kind's target ({@link KindShapes}).
   */
  public static String target(Event e) {
    switch (KindShapes.target(e.getKind())) {
      case ENDPOINT:
        return isUnix(e.getNetwork()) ? unix(e.getNetwork()) : endpoint(e.getNetwork());
      case LOCAL_PORT:
        // Peers of a server are many and churn (pods, NAT): the behaviour is "accepts on this
        // port".
        return isUnix(e.getNetwork()) ? unix(e.getNetwork()) : ":" + port(e.getNetwork().getPort());
      case DNS_NAME:
        return e.getDns().getQuery().toLowerCase(Locale.ROOT);
      case PATH:
        return path(judgedPath(e.getFile()));
      case RENAMED_PATH:
        String dest = judgedNewPath(e.getFile());
        return path(dest.isEmpty() ? judgedPath(e.getFile()) : dest);
      case COMMAND:
        return environment(e.getProcess().getEnvList())
            + command(e.getProcess().getArgvList(), e.getProcess().getExecutable());
      case CODE:
        return code(e.getCode());
      case NONE:
        return "";
    }
    throw new AssertionError("a target shape without a case"); // every constant has one above
  }

  /**
   * Where code came from: a library's or jar's path, normalised like a file's (the random digits a
   * library extractor puts in its temp file names fold away); a class with no origin on disk by its
   * origin and name, a hidden class's JVM-assigned suffix ({@code /0x…}) dropped.
   */
  static String code(CodeTarget c) {
    String path = judgedCodePath(c);
    if (!path.isEmpty()) {
      return path(path);
    }
    String name = c.getClassName();
    int slash = name.indexOf('/');
    return c.getOrigin() + ":" + (slash < 0 ? name : name.substring(0, slash));
  }

  /** A code target's path the kernel opened: real_path when set, else path, folded ("" if none). */
  public static String judgedCodePath(CodeTarget c) {
    String p = c.getRealPath().isEmpty() ? c.getPath() : c.getRealPath();
    return p.isEmpty() ? "" : fold(p);
  }

  /**
   * DATAGRAM joins NET_CONNECT ("talks to"), renames count as writes: the profile keeps what
   * matters.
   */
  public static String kindFamily(EventKind kind) {
    return KindShapes.profileFamily(kind);
  }

  /**
   * The file the kernel touched, folded: the sensitive file it is a hard link to ({@code
   * same_file_as}: the agent found the same device and inode), else {@code real_path} when the
   * agent resolved a symlink, else {@code path}. A hard link IS the file: judged by its name it
   * would be whatever its maker called it.
   */
  public static String judgedPath(FileTarget f) {
    if (!f.getSameFileAs().isEmpty()) {
      return fold(f.getSameFileAs());
    }
    return fold(f.getRealPath().isEmpty() ? f.getPath() : f.getRealPath());
  }

  /** The same for a rename's destination ("" when there is none). */
  public static String judgedNewPath(FileTarget f) {
    String p = f.getNewRealPath().isEmpty() ? f.getNewPath() : f.getNewRealPath();
    return p.isEmpty() ? "" : fold(p);
  }

  /** A Unix domain socket: protocol "unix", or a path with no port. */
  public static boolean isUnix(NetworkTarget n) {
    return "unix".equals(n.getProtocol()) || (!n.getPath().isEmpty() && n.getPort() == 0);
  }

  /**
   * The socket's path, folded ("" for an unnamed socket): the sensitive socket a hard link is the
   * same file as ({@code same_file_as}), else its own.
   */
  public static String socketPath(NetworkTarget n) {
    if (!n.getSameFileAs().isEmpty()) {
      return fold(n.getSameFileAs());
    }
    return n.getPath().isEmpty() ? "" : fold(n.getPath());
  }

  static String unix(NetworkTarget n) {
    return "unix:" + (n.getPath().isEmpty() ? "(unnamed)" : path(socketPath(n)));
  }

  static String endpoint(NetworkTarget n) {
    String host = n.getHost().isEmpty() ? n.getIp() : n.getHost().toLowerCase(Locale.ROOT);
    return host + ":" + n.getPort();
  }

  static String port(int port) {
    return port >= EPHEMERAL_PORT_FLOOR ? "ephemeral" : Integer.toString(port);
  }

  /** Lexical folding ({@link PathShapes#fold}): the agent and the collector share one copy. */
  public static String fold(String path) {
    return PathShapes.fold(path);
  }

  /**
   * The profile form of a path ({@link PathShapes#key}): numeric, UUID and long hex segments, temp
   * names and counters folded. One copy with the agent's shapes, which never fold coarser.
   */
  public static String path(String path) {
    return PathShapes.key(path);
  }

  /** Executable plus the shape of its arguments: flags kept, values generalised. */
  /**
   * The loader and interpreter variables the agent reported for a spawn, in front of its command as
   * a shell would write them ("LD_PRELOAD=/opt/x/hook.so "): a known command run with them is
   * another behaviour. Empty for most spawns (the profile keys of those are unchanged).
   */
  static String environment(List<String> env) {
    if (env.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String entry : env) {
      int eq = entry.indexOf('=');
      String value = eq < 0 ? "" : entry.substring(eq + 1);
      sb.append(eq < 0 ? entry : entry.substring(0, eq + 1))
          .append(value.startsWith("/") ? path(value) : value)
          .append(' ');
    }
    return sb.toString();
  }

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
