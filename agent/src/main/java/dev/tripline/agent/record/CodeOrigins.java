package dev.tripline.agent.record;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What counts as a new code origin: a jar opened for reading that was not on the JVM's launch class
 * path or module path (a provider dropped into a directory, a plugin, a jar a payload fetched);
 * and, for native libraries, whether their directory is writable by the JVM's user. Consulted only
 * for targets seen for the first time.
 */
final class CodeOrigins {
  /** The launch class path and module path, normalised and symlink-resolved. */
  private final Set<String> launch = new HashSet<>();

  CodeOrigins() {
    FileTargets files = new FileTargets(System.getProperty("user.dir"));
    for (String key : new String[] {"java.class.path", "jdk.module.path"}) {
      for (String entry : System.getProperty(key, "").split(File.pathSeparator, -1)) {
        if (entry.isEmpty()) {
          continue;
        }
        launch.add(files.normalise(entry));
        String real = files.real(entry, true);
        if (real != null) {
          launch.add(real);
        }
      }
    }
  }

  /** A jar by its name: what class loaders open (a jar read as data is reported the same way). */
  static boolean isJar(String path) {
    return path.regionMatches(true, path.length() - 4, ".jar", 0, 4);
  }

  /** On the launch class or module path: code the JVM started with, not a new origin. */
  boolean launchedWith(String judgedPath) {
    return launch.contains(judgedPath);
  }

  /**
   * Whether the JVM's user may write the directory holding {@code path} (access(2)): whoever can
   * write there chose what was loaded. One check per library first reported.
   */
  static boolean writableDir(String path) {
    try {
      Path parent = Path.of(path).getParent();
      return parent != null && Files.isWritable(parent);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
