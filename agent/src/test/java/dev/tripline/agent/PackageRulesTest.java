package dev.tripline.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules the packages' {@code package-info.java} state, checked on the sources. The
 * application thread's packages ({@code instrument}, {@code record}, {@code callsite}) never reach
 * the pipeline thread's ({@code pipeline}, {@code transport}); the leaves import nothing above
 * them; no package imports the root package (the wiring) back; every package says what lives there.
 */
class PackageRulesTest {
  private static final Path MAIN = Path.of("src/main/java/dev/tripline/agent");
  private static final String AGENT = "dev.tripline.agent.";

  /** Package → import prefixes it must not use. */
  private static final Map<String, List<String>> FORBIDDEN =
      Map.of(
          "gate",
              agent(
                  "pipeline",
                  "transport",
                  "instrument",
                  "identity",
                  "record",
                  "callsite",
                  "health",
                  "config"),
          "instrument", agent("pipeline", "transport", "identity"),
          "record",
              plus(agent("pipeline", "transport", "instrument", "identity"), "org.apache.kafka"),
          "callsite", agent("pipeline", "transport", "instrument", "identity", "record", "health"),
          "protect",
              plus(agent("pipeline", "transport", "instrument", "identity"), "org.apache.kafka"),
          "pipeline", agent("instrument", "transport", "identity"),
          "transport", agent("instrument", "record", "callsite", "identity"),
          "health", agent("pipeline", "transport", "instrument", "identity", "record", "callsite"),
          "identity", agent("pipeline", "transport", "instrument", "record", "callsite", "health"),
          "config",
              agent(
                  "pipeline",
                  "transport",
                  "instrument",
                  "identity",
                  "record",
                  "callsite",
                  "health"));

  /** A class of the root package, named from below it: {@code dev.tripline.agent.AgentRuntime}. */
  private static final Pattern ROOT_CLASS = Pattern.compile("\\bdev\\.tripline\\.agent\\.[A-Z]");

  private static List<String> agent(String... packages) {
    List<String> out = new ArrayList<>();
    for (String p : packages) out.add(AGENT + p + ".");
    return out;
  }

  private static List<String> plus(List<String> list, String more) {
    List<String> out = new ArrayList<>(list);
    out.add(more);
    return out;
  }

  @Test
  void packagesImportOnlyWhatTheirPackageInfoAllows() {
    List<String> broken = new ArrayList<>();
    FORBIDDEN.forEach(
        (pkg, prefixes) -> {
          for (Path source : sources(MAIN.resolve(pkg))) {
            for (String line : code(source)) {
              // imports, and fully qualified names in code (dev.tripline.agent.x.Y without one)
              if (prefixes.stream().anyMatch(line::contains)) {
                broken.add(MAIN.relativize(source) + ": " + line);
              }
            }
          }
        });
    assertEquals(List.of(), broken);
    assertTrue(sources(MAIN.resolve("record")).size() > 10, "the rule reads the real sources");
  }

  /**
   * A new package gets its rules when it is made: otherwise code moved into it escapes the
   * hot-path/pipeline boundary unnoticed.
   */
  @Test
  void everyPackageHasImportRules() throws IOException {
    List<String> unruled = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(MAIN)) {
      dirs.filter(Files::isDirectory)
          .map(d -> d.getFileName().toString())
          .filter(p -> !FORBIDDEN.containsKey(p))
          .sorted()
          .forEach(unruled::add);
    }
    assertEquals(List.of(), unruled);
  }

  @Test
  void noPackageImportsTheWiringBack() throws IOException {
    List<String> broken = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      for (Path dir : dirs.filter(Files::isDirectory).collect(Collectors.toList())) {
        if (dir.equals(MAIN)) continue;
        for (Path source : sources(dir)) {
          for (String line : code(source)) {
            if (ROOT_CLASS.matcher(line).find()) {
              broken.add(MAIN.relativize(source) + ": " + line);
            }
          }
        }
      }
    }
    assertEquals(List.of(), broken);
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

  /** The lines of a source that are code: no comments, no string literals' contents. */
  private static List<String> code(Path source) {
    List<String> out = new ArrayList<>();
    for (String raw : lines(source)) {
      String l = raw.strip();
      if (l.startsWith("*") || l.startsWith("/*") || l.startsWith("//")) continue;
      out.add(l.replaceAll("\"([^\"\\\\]|\\\\.)*\"", "\"\""));
    }
    return out;
  }

  private static List<Path> sources(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .filter(f -> !f.getFileName().toString().equals("package-info.java"))
          .sorted()
          .collect(Collectors.toList());
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
