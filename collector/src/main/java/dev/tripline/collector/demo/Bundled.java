package dev.tripline.collector.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent and the sample service travel inside the collector jar, so the demo runs from it alone.
 */
final class Bundled {
  private Bundled() {}

  static Path extract(String name, Path dir) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = Bundled.class.getResourceAsStream("/bundled/" + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "/bundled/" + name + " is missing from the collector jar; build with ./mvnw install");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
