package dev.tripline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules the packages' {@code package-info.java} state, checked on the sources: the
 * decision side never imports Kafka, the leaf packages import nothing above them, and every package
 * says what lives there.
 */
class PackageRulesTest {
  private static final Path MAIN = Path.of("src/main/java/dev/tripline/collector");

  /** Package → import prefixes it must not use. */
  private static final Map<String, List<String>> FORBIDDEN =
      Map.of(
          "detect",
              List.of(
                  "org.apache.kafka",
                  "dev.tripline.collector.pipeline",
                  "dev.tripline.collector.http"),
          "kind",
              List.of(
                  "org.apache.kafka",
                  "dev.tripline.collector.pipeline",
                  "dev.tripline.collector.profile",
                  "dev.tripline.collector.alert"),
          "profile",
              List.of(
                  "org.apache.kafka",
                  "dev.tripline.collector.pipeline",
                  "dev.tripline.collector.alert"),
          "alert", List.of("org.apache.kafka", "dev.tripline.collector.pipeline"),
          "api", List.of("org.apache.kafka", "dev.tripline.collector."),
          "http",
              List.of(
                  "org.apache.kafka",
                  "dev.tripline.collector.pipeline",
                  "dev.tripline.collector.detect"));

  @Test
  void packagesImportOnlyWhatTheirPackageInfoAllows() throws IOException {
    List<String> broken = new ArrayList<>();
    FORBIDDEN.forEach(
        (pkg, prefixes) -> {
          for (Path source : sources(MAIN.resolve(pkg))) {
            for (String line : lines(source)) {
              String l = line.strip();
              if (l.startsWith("import ")
                  && prefixes.stream()
                      .anyMatch(
                          p -> l.startsWith("import " + p) || l.startsWith("import static " + p))) {
                broken.add(MAIN.relativize(source) + ": " + l);
              }
              // Fully qualified uses in code count too (org.apache.kafka.streams.X without an
              // import).
              if (!l.startsWith("import ")
                  && !l.startsWith("*")
                  && !l.startsWith("//")
                  && prefixes.stream().anyMatch(p -> p.startsWith("org.") && l.contains(p + "."))) {
                broken.add(MAIN.relativize(source) + ": " + l);
              }
            }
          }
        });
    assertEquals(List.of(), broken);
    assertTrue(sources(MAIN.resolve("detect")).size() > 5, "the rule reads the real sources");
  }

  @Test
  void everyPackageHasAPackageInfo() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      dirs.filter(Files::isDirectory)
          .filter(d -> !sources(d).isEmpty())
          .filter(d -> !Files.exists(d.resolve("package-info.java")))
          .forEach(d -> missing.add(MAIN.relativize(d).toString()));
    }
    assertEquals(List.of(), missing);
  }

  private static List<Path> sources(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
