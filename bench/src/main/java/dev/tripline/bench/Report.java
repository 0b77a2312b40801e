package dev.tripline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one run as a Markdown table, printed and written to bench/target/benchmarks.md.
 */
final class Report {
  private final List<String> agentRows = new ArrayList<>();
  private final List<String> collectorRows = new ArrayList<>();
  private final List<String> sections = new ArrayList<>();

  void ratio(String what, String unit, double without, double with, String goal) {
    agentRows.add(
        String.format(
            Locale.ROOT,
            "| %s | %.3f %s | %.3f %s | ×%.3f (%+.1f%%) | %s |",
            what,
            without,
            unit,
            with,
            unit,
            with / without,
            (with / without - 1) * 100,
            goal));
  }

  void difference(String what, String unit, double without, double with, String goal) {
    agentRows.add(
        String.format(
            Locale.ROOT,
            "| %s | %.1f %s | %.1f %s | %+.1f %s | %s |",
            what,
            without,
            unit,
            with,
            unit,
            with - without,
            unit,
            goal));
  }

  /**
   * A block of Markdown (a table with its caption) printed after the agent rows, in the order
   * added.
   */
  void section(String markdown) {
    sections.add(markdown);
  }

  void collector(String what, String value, String goal) {
    collectorRows.add("| " + what + " | " + value + " | " + goal + " |");
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ")
        .append(System.getProperty("os.name"))
        .append(' ')
        .append(System.getProperty("os.arch"))
        .append(", Java ")
        .append(System.getProperty("java.runtime.version"))
        .append("\n\n");
    if (!agentRows.isEmpty()) {
      b.append(
          "| agent overhead (median) | without agent | with agent | difference | goal |\n|---|---|---|---|---|\n");
      agentRows.forEach(r -> b.append(r).append('\n'));
      b.append('\n');
    }
    sections.forEach(s -> b.append(s).append('\n'));
    if (!collectorRows.isEmpty()) {
      b.append("| collector | measured | goal |\n|---|---|---|\n");
      collectorRows.forEach(r -> b.append(r).append('\n'));
    }
    return b.toString();
  }

  void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, markdown());
  }
}
