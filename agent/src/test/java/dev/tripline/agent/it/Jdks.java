package dev.tripline.agent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every JDK on this machine the agent must work on: the one running the tests and each under
 * /usr/lib/jvm.
 */
public final class Jdks {
  private Jdks() {}

  public static List<Path> all() {
    Map<Path, Path> byRealPath = new LinkedHashMap<>();
    add(byRealPath, Path.of(System.getProperty("java.home")));
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> homes = Files.list(jvms)) {
        homes.sorted().forEach(home -> add(byRealPath, home));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return new ArrayList<>(byRealPath.values());
  }

  private static void add(Map<Path, Path> seen, Path home) {
    Path java = home.resolve("bin/java");
    if (!Files.isExecutable(java) || !Files.exists(home.resolve("lib/modules"))) {
      return; // not a full JDK/JRE image
    }
    try {
      seen.putIfAbsent(java.toRealPath(), java);
    } catch (IOException e) {
      // broken link: skip
    }
  }
}
