package dev.tripline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Before/after in one run ({@code -Dbench.baseline.jar}): each loop without an agent, with the
 * baseline agent jar (e.g. main's) and with the agent under test, alternating within every round
 * (the first of the round rotating), so that a machine shared with other builds slows all three
 * alike. The figure that says whether a change cost anything is new / baseline, taken per round
 * (the two ran seconds apart) and reported as the median with its spread; the load average at the
 * start and end of each loop says how busy the machine was.
 */
final class SideBySide {
  private final List<String> without;
  private final List<String> baseline;
  private final List<String> current;
  private final Report report;
  private final int rounds;

  SideBySide(List<String> without, List<String> baseline, List<String> current, Report report) {
    this.without = without;
    this.baseline = baseline;
    this.current = current;
    this.report = report;
    this.rounds = Integer.getInteger("bench.ab.rounds", 4);
  }

  /** One loop: a JMH benchmark and how to run it. */
  record Loop(
      Class<?> benchmarks, String name, boolean throughput, int warmups, int measurements) {}

  void run(List<Loop> loops) throws RunnerException, IOException {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Side by side: no agent, baseline jar, this agent; %d alternating rounds, median (min–max)%n%n",
            rounds));
    b.append(
        "| loop | unit | no agent | baseline | this agent | baseline / none | this / none | **this / baseline** (per round) | load |\n"
            + "|---|---|---|---|---|---|---|---|---|\n");
    for (Loop loop : loops) {
      String loadBefore = loadAverage();
      Map<String, List<Double>> by = new LinkedHashMap<>();
      by.put("none", new ArrayList<>());
      by.put("baseline", new ArrayList<>());
      by.put("this", new ArrayList<>());
      List<String> order = List.of("none", "baseline", "this");
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < order.size(); i++) {
          String variant = order.get((i + round) % order.size());
          double score =
              AgentOverhead.jmh(
                  loop.benchmarks(),
                  loop.name(),
                  args(variant),
                  loop.warmups(),
                  loop.measurements());
          by.get(variant).add(score);
        }
        System.out.printf(
            Locale.ROOT,
            "  %s round %d: none %.3f, baseline %.3f, this %.3f %s%n",
            loop.name(),
            round + 1,
            by.get("none").get(round),
            by.get("baseline").get(round),
            by.get("this").get(round),
            loop.throughput() ? "ops/s" : "us/op");
      }
      // cost as time: a throughput ratio is inverted, so that ×1.10 means 10 % slower either way
      List<Double> thisVsBase = ratios(by.get("this"), by.get("baseline"), loop.throughput());
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | ×%.3f | ×%.3f | **×%.3f** (%s) | %s → %s |%n",
              loop.name(),
              loop.throughput() ? "ops/s" : "µs/op",
              cell(by.get("none")),
              cell(by.get("baseline")),
              cell(by.get("this")),
              Forked.median(ratios(by.get("baseline"), by.get("none"), loop.throughput())),
              Forked.median(ratios(by.get("this"), by.get("none"), loop.throughput())),
              Forked.median(thisVsBase),
              list(thisVsBase),
              loadBefore,
              loadAverage()));
    }
    if (Boolean.parseBoolean(System.getProperty("bench.cpu", "true"))) {
      cpuPerOp(b);
    }
    b.append(
        "\nRatios are time ratios (for a throughput loop, the inverse of the throughput ratio): ×1.10"
            + " is 10 % slower. Each round's ratio compares runs seconds apart.\n");
    report.section(b.toString());
  }

  /**
   * The first-sight loops again, by CPU time of the looping thread ({@link FirstSightApp}): what a
   * loaded machine's wall clock cannot show.
   */
  private void cpuPerOp(StringBuilder b) throws IOException {
    b.append(
        "\nFirst sight by CPU time of the looping thread (`FirstSightApp`, median of 5 one-second"
            + " rounds per JVM), µs per operation, same alternation:\n\n"
            + "| loop | no agent | baseline | this agent | baseline − none | this − none | **this / baseline** (per round) | load |\n"
            + "|---|---|---|---|---|---|---|---|\n");
    List<String[]> loops = new ArrayList<>();
    loops.add(new String[] {"file (java.io.tmpdir)", "file"});
    if (Files.isDirectory(Path.of("/dev/shm"))) {
      loops.add(new String[] {"file (/dev/shm: tmpfs)", "file", "/dev/shm"});
    }
    loops.add(new String[] {"destination", "destination"});
    List<String> order = List.of("none", "baseline", "this");
    for (String[] loop : loops) {
      String loadBefore = loadAverage();
      Map<String, List<Double>> by = new LinkedHashMap<>();
      order.forEach(v -> by.put(v, new ArrayList<>()));
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < order.size(); i++) {
          String variant = order.get((i + round) % order.size());
          List<String> appArgs = new ArrayList<>(List.of(loop).subList(1, loop.length));
          appArgs.add(1, "5");
          try {
            by.get(variant)
                .add(
                    Double.parseDouble(
                        Forked.valueOf(
                            Forked.command(
                                args(variant),
                                FirstSightApp.class.getName(),
                                appArgs.toArray(new String[0])),
                            "CPU_US_PER_OP ")));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "  first sight, %s, round %d: none %.1f, baseline %.1f, this %.1f µs CPU/op%n",
            loop[0],
            round + 1,
            by.get("none").get(round),
            by.get("baseline").get(round),
            by.get("this").get(round));
      }
      List<Double> thisVsBase = ratios(by.get("this"), by.get("baseline"), false);
      double none = Forked.median(by.get("none"));
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %+.1f | %+.1f | **×%.3f** (%s) | %s → %s |%n",
              loop[0],
              cell(by.get("none")),
              cell(by.get("baseline")),
              cell(by.get("this")),
              Forked.median(by.get("baseline")) - none,
              Forked.median(by.get("this")) - none,
              Forked.median(thisVsBase),
              list(thisVsBase),
              loadBefore,
              loadAverage()));
    }
  }

  private List<String> args(String variant) {
    return switch (variant) {
      case "none" -> without;
      case "baseline" -> baseline;
      default -> current;
    };
  }

  /** Per round: a / b as a time ratio. */
  private static List<Double> ratios(List<Double> a, List<Double> b, boolean throughput) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      r.add(throughput ? b.get(i) / a.get(i) : a.get(i) / b.get(i));
    }
    return r;
  }

  private static String cell(List<Double> values) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    String f =
        Forked.median(values) >= 1000 ? "%,.0f" : Forked.median(values) >= 10 ? "%.1f" : "%.3f";
    return String.format(
        Locale.ROOT, f + " (" + f + "–" + f + ")", Forked.median(values), min, max);
  }

  private static String list(List<Double> ratios) {
    StringBuilder s = new StringBuilder();
    for (double r : ratios) {
      s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "×%.2f", r));
    }
    return s.toString();
  }

  /** The 1-minute load average, or "?" off Linux. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
