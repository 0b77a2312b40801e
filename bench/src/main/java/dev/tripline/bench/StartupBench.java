package dev.tripline.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-process start-up of a trivial main (not JMH): no agent, Tripline ({@code sink=none}, and
 * its default Kafka sink with no broker), the OpenTelemetry agent, launched alternately in rounds;
 * Tripline's per-phase start-up line; and what each agent does to class-data sharing.
 */
final class StartupBench {
  /** {@code [tripline] startup ms: bridge=3 weave=25 …}: any number of name=integer pairs. */
  static final Pattern PHASES_LINE = Pattern.compile("\\[tripline\\] startup ms:(.*)");

  private static final Pattern PAIR = Pattern.compile("([A-Za-z0-9_.-]+)=(\\d+)");
  private static final int TIMEOUT_SECONDS = 120;

  private final Agents agents;
  private final Report report;
  private final int rounds;
  private final Path work;
  private final Path classes;
  private final Path input;

  StartupBench(Agents agents, Report report, int rounds, Path work) throws IOException {
    this.agents = agents;
    this.report = report;
    this.rounds = rounds;
    this.work = Files.createDirectories(work);
    this.classes = ownClasses();
    this.input = work.resolve("input.txt");
    Files.writeString(input, "the one file the trivial main reads\n");
  }

  private static final class Variant {
    final String name;
    final List<String> jvmArgs;
    final Stats toMain = new Stats();
    final Stats toExit = new Stats();
    final Stats cpu = new Stats();
    final Stats rss = new Stats();
    final Map<String, Stats> phases = new LinkedHashMap<>();
    int phaseLines;

    Variant(String name, List<String> jvmArgs) {
      this.name = name;
      this.jvmArgs = jvmArgs;
    }
  }

  void run() throws IOException, InterruptedException {
    List<Variant> variants = new ArrayList<>();
    variants.add(new Variant("no agent", agents.none()));
    variants.add(new Variant("an empty `-javaagent` (premain does nothing)", agents.empty()));
    variants.add(new Variant("Tripline, `sink=none`", agents.triplineNoSink()));
    variants.add(
        new Variant(
            "Tripline, Kafka sink, no broker (closed port)", agents.triplineKafkaClosedPort()));
    if (agents.hasOtel()) {
      variants.add(new Variant(agents.otelName() + ", exporters `none`", agents.otel()));
    }
    variants.add(
        new Variant("Tripline, `sink=none`, `debug=true` (phases)", agents.triplineDebug()));
    if (agents.baseline() != null) { // before/after a change, launched alternately with the rest
      variants.add(
          new Variant(
              "baseline Tripline (" + agents.baseline().getFileName() + "), `sink=none`",
              agents.onBaseline(agents.triplineNoSink())));
      variants.add(
          new Variant(
              "baseline Tripline, `sink=none`, `debug=true` (phases)",
              agents.onBaseline(agents.triplineDebug())));
    }

    Path java = Path.of(System.getProperty("java.home"));
    for (Variant v : variants) { // untimed: fills the page cache with each jar
      launch(java, v.jvmArgs);
    }
    for (int round = 0; round < rounds; round++) {
      StringBuilder line = new StringBuilder("  start-up round " + (round + 1) + ":");
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get((i + round) % variants.size()); // rotate who goes first
        WholeProcess.Result r = launch(java, v.jvmArgs);
        String mainAt = r.value("MAIN_AT ");
        v.toMain.add(Long.parseLong(mainAt) - r.launchedAtMs);
        v.toExit.add(r.toExitMs);
        String[] proc = r.value("PROC ").split(" ");
        v.cpu.add(
            r.cpuSeconds >= 0
                ? r.cpuSeconds
                : Long.parseLong(proc[1]) / 100.0); // USER_HZ is 100 on Linux
        v.rss.add((r.peakRssKib >= 0 ? r.peakRssKib : Long.parseLong(proc[0])) / 1024.0);
        if (parsePhases(r.stderr, v.phases)
            || parsePhases(r.stdout, v.phases)) { // stderr by contract; stdout tolerated
          v.phaseLines++;
        }
        line.append(
            String.format(
                Locale.ROOT,
                " %s %d/%d ms;",
                shortName(v.name),
                Long.parseLong(mainAt) - r.launchedAtMs,
                r.toExitMs));
      }
      System.out.println(line);
    }
    report.section(table(variants));
    for (Variant v : variants) {
      if (v.jvmArgs.contains("-Dtripline.debug=true")) {
        report.section(v.name + "\n\n" + phaseTable(v));
      }
    }
    report.section(cds());
  }

  private WholeProcess.Result launch(Path jdk, List<String> jvmArgs)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(WholeProcess.java(jdk));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", classes.toString(), StartupApp.class.getName(), input.toString()));
    WholeProcess.Result r = WholeProcess.run(cmd, work, TIMEOUT_SECONDS);
    if (r.exitCode != 0 || r.value("MAIN_AT ") == null || r.value("PROC ") == null) {
      throw new IllegalStateException(
          "trivial main failed (" + r.exitCode + "): " + cmd + "\n" + r.stdout + "\n" + r.stderr);
    }
    return r;
  }

  private String table(List<Variant> variants) {
    Variant base = variants.get(0);
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Trivial main (reads one file, prints, exits), %d rounds, JDK %s, whole process; median (min–max), ratio of medians to no agent%n%n",
            rounds,
            System.getProperty("java.runtime.version")));
    b.append(
        "| trivial main | launch → `main` ms | × | launch → exit ms | × | CPU s | × | peak RSS MiB | × |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Variant v : variants) {
      b.append("| ")
          .append(v.name)
          .append(" | ")
          .append(v.toMain.cell(0))
          .append(" | ")
          .append(v.toMain.ratioTo(base.toMain))
          .append(" | ")
          .append(v.toExit.cell(0))
          .append(" | ")
          .append(v.toExit.ratioTo(base.toExit))
          .append(" | ")
          .append(v.cpu.cell(2))
          .append(" | ")
          .append(v.cpu.ratioTo(base.cpu))
          .append(" | ")
          .append(v.rss.cell(0))
          .append(" | ")
          .append(v.rss.ratioTo(base.rss))
          .append(" |\n");
    }
    return b.toString();
  }

  private static String phaseTable(Variant debug) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| Tripline start-up phase (`-Dtripline.debug=true`) | ms, median (min–max) |\n|---|---|\n");
    if (debug.phases.isEmpty()) {
      b.append("| (no `[tripline] startup ms:` line on stderr) | n/a |\n");
    }
    debug.phases.forEach(
        (name, stats) ->
            b.append("| ").append(name).append(" | ").append(stats.cell(0)).append(" |\n"));
    b.append(
        String.format(
            Locale.ROOT,
            "%n(%d of %d launches printed the line)%n",
            debug.phaseLines,
            debug.toMain.count()));
    return b.toString();
  }

  /** Adds the pairs of the first phases line in {@code stderr}; false if there is none. */
  static boolean parsePhases(List<String> stderr, Map<String, Stats> into) {
    for (String line : stderr) {
      Matcher m = PHASES_LINE.matcher(line);
      if (m.find()) {
        Matcher pair = PAIR.matcher(m.group(1));
        while (pair.find()) {
          into.computeIfAbsent(pair.group(1), k -> new Stats()).add(Long.parseLong(pair.group(2)));
        }
        return true;
      }
    }
    return false;
  }

  /**
   * Class-data sharing with the JDK's default archive: one launch per variant and JDK with {@code
   * -Xlog:class+load}, counting the classes loaded from the archive, those the no-agent run took
   * from it that this run did not, and the warnings on stderr.
   */
  private String cds() throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder();
    b.append(
        "| JDK | trivial main, default CDS archive | classes loaded | from the archive | of the no-agent run's archived classes, loaded from elsewhere | warning lines on stderr |\n");
    b.append("|---|---|---|---|---|---|\n");
    Set<String> warnings = new LinkedHashSet<>();
    for (Path jdk : jdks()) {
      String version = jdkVersion(jdk);
      Set<String> baseShared = null;
      List<String[]> variants = new ArrayList<>();
      variants.add(new String[] {"no agent"});
      variants.add(new String[] {"Tripline, `sink=none`"});
      if (agents.hasOtel()) {
        variants.add(new String[] {agents.otelName()});
      }
      for (int i = 0; i < variants.size(); i++) {
        List<String> agentArgs =
            i == 0 ? agents.none() : i == 1 ? agents.triplineNoSink() : agents.otel();
        Path log = Files.createTempFile(work, "classload", ".log");
        WholeProcess.Result r =
            launch(
                jdk, WholeProcess.concat(List.of("-Xlog:class+load=info:file=" + log), agentArgs));
        Set<String> loaded = new LinkedHashSet<>();
        Set<String> shared = new LinkedHashSet<>();
        for (String line : Files.readAllLines(log)) {
          int at = line.indexOf("[class,load] ");
          int source = line.indexOf(" source: ");
          if (at < 0 || source < 0) {
            continue;
          }
          String name = line.substring(at + 13, source);
          loaded.add(name);
          if (line.contains("source: shared objects file")) {
            shared.add(name);
          }
        }
        Files.deleteIfExists(log);
        if (baseShared == null) {
          baseShared = shared;
        }
        long lost =
            baseShared.stream().filter(c -> loaded.contains(c) && !shared.contains(c)).count();
        List<String> warned = new ArrayList<>();
        for (String line : r.stderr) {
          if (line.toLowerCase(Locale.ROOT).contains("warning")) {
            warned.add(line);
            warnings.add("JDK " + version + ", " + variants.get(i)[0] + ": `" + line.trim() + "`");
          }
        }
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %d | %d | %d |%n",
                version,
                variants.get(i)[0],
                loaded.size(),
                shared.size(),
                lost,
                warned.size()));
      }
    }
    b.append('\n');
    if (warnings.isEmpty()) {
      b.append("No warning lines on stderr.\n");
    } else {
      b.append("Warning lines on stderr:\n\n");
      warnings.forEach(w -> b.append("- ").append(w).append('\n'));
    }
    return b.toString();
  }

  /** The JDK running the bench, then one JDK per other feature version under /usr/lib/jvm. */
  static List<Path> jdks() throws IOException {
    Map<String, Path> byVersion = new LinkedHashMap<>();
    Path self = Path.of(System.getProperty("java.home")).toRealPath();
    byVersion.put(jdkVersion(self).split("\\.")[0], self);
    Path jvm = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvm)) {
      try (var dirs = Files.list(jvm)) {
        for (Path dir : dirs.sorted().toList()) {
          if (Files.isExecutable(dir.resolve("bin/java"))
              && Files.isRegularFile(dir.resolve("release"))) {
            byVersion.putIfAbsent(jdkVersion(dir).split("\\.")[0], dir.toRealPath());
          }
        }
      }
    }
    return new ArrayList<>(byVersion.values());
  }

  /** JAVA_VERSION from the JDK's release file. */
  static String jdkVersion(Path jdk) throws IOException {
    Path release = jdk.resolve("release");
    if (Files.isRegularFile(release)) {
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("JAVA_VERSION=")) {
          return line.substring(13).replace("\"", "");
        }
      }
    }
    return System.getProperty("java.version");
  }

  private static String shortName(String name) {
    return name.split("[,(]")[0].replace("`", "").trim()
        + (name.contains("closed") ? "+kafka" : name.contains("debug") ? "+debug" : "");
  }

  /**
   * The directory (or jar) holding this module's classes: the trivial main needs nothing else on
   * its class path.
   */
  private static Path ownClasses() {
    try {
      return Path.of(StartupApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
