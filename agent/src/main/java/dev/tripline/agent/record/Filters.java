package dev.tripline.agent.record;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import java.io.File;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Known noise, and what the user asked to exclude. Consulted only for targets seen for the first
 * time; the verdict is cached with the target.
 */
final class Filters {
  /** Where the JDK's own files live: java.home and, on Debian, the real home of its conf files. */
  private final List<String> jdkDirs = new ArrayList<>();

  private final List<String> excludedPaths = new ArrayList<>();
  private final List<String> excludedHosts = new ArrayList<>();

  Filters(AgentConfig config) {
    String home = System.getProperty("java.home", "");
    if (!home.isEmpty()) {
      addOnce(jdkDirs, new File(home).getAbsolutePath() + File.separator);
      addOnce(jdkDirs, realPath(new File(home))); // events are judged on real paths
    }
    // Debian links the conf directory, or each file in it, to /etc/java-<n>-openjdk: exclude where
    // they really live.
    File conf = new File(home, "conf");
    addOnce(jdkDirs, realPath(conf));
    File[] entries = conf.listFiles();
    for (File f : entries == null ? new File[0] : entries) {
      File real = new File(realPath(f));
      String dir = real.getParentFile() == null ? "" : realPath(real.getParentFile());
      if (dir.contains("java")
          || dir.contains("jdk")
          || dir.contains("jvm")) { // never a whole /etc
        addOnce(jdkDirs, dir);
      }
    }
    for (String p : config.get(AgentKeys.EXCLUDE_PATHS)) {
      if (!p.trim().isEmpty()) excludedPaths.add(p.trim());
    }
    for (String h : config.get(AgentKeys.EXCLUDE_HOSTS)) {
      if (!h.trim().isEmpty()) excludedHosts.add(h.trim().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** {@code path}: the real (symlink-resolved) path where known, else the normalised one. */
  boolean excludedPath(String path, boolean read) {
    for (String jdk : jdkDirs) {
      if (path.startsWith(jdk))
        return true; // the JDK reading its own files (tzdb, security, modules, conf)
    }
    if (read && (path.endsWith(".jar") || path.endsWith(".jmod") || path.endsWith(".class"))) {
      return true; // class loading
    }
    for (String p : excludedPaths) {
      if (matches(p, path)) return true;
    }
    return false;
  }

  boolean excludedHost(@Nullable String host, String ip) {
    for (String h : excludedHosts) {
      if ((host != null && matches(h, host.toLowerCase(java.util.Locale.ROOT))) || matches(h, ip))
        return true;
    }
    return false;
  }

  private static void addOnce(List<String> list, String dir) {
    if (!dir.equals("\u0000") && !dir.equals(File.separator) && !list.contains(dir)) {
      list.add(dir);
    }
  }

  private static String realPath(File f) {
    try {
      return f.getCanonicalPath() + File.separator;
    } catch (java.io.IOException e) {
      return "\u0000";
    }
  }

  /** A pattern is a prefix, or a glob with {@code *} (any characters). */
  static boolean matches(String pattern, String value) {
    if (pattern.indexOf('*') < 0) {
      return value.startsWith(pattern) || value.equals(pattern);
    }
    String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q");
    return value.matches(regex);
  }

  /**
   * The host name the application used to make this address, without any DNS lookup (toString is
   * "host/ip").
   */
  static @Nullable String hostAsGiven(InetAddress a) {
    return hostAsGiven(a.toString());
  }

  /** The host name of an address's {@code toString} ("host/ip"; "/ip" when it has none). */
  static @Nullable String hostAsGiven(String shown) {
    int slash = shown.lastIndexOf('/'); // an IP has no '/'; a name given with the bytes may
    return slash > 0 ? shown.substring(0, slash) : null;
  }

  /** The IP of an address's {@code toString}: its {@code getHostAddress()}. */
  static String ipOf(String shown) {
    return shown.substring(shown.lastIndexOf('/') + 1);
  }

  /** Whether any host is excluded: if not, no peer can be. */
  boolean filtersHosts() {
    return !excludedHosts.isEmpty();
  }

  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // IPv6 literal
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) return false;
    }
    return true;
  }
}
