package dev.tripline.bench;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Topics;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Protect mode's cost ({@code -Dbench.which=protect}, docs/benchmarks.md): the repeat loops with
 * the agent, protection off (the brake, {@code -Dtripline.protect=off}: the guarded hooks' entry is
 * one volatile read) against protection on ({@code dry-run} policy of the service on its compacted
 * topic, the real shared judge, which refuses none of these loops: every call pays the entry
 * decision, a repeat its verdict lookup), alternating, side by side in one run. Each pair gives the
 * wall-clock ratio and the ratio of the worker thread's CPU per op ({@link WorkerCpuProfiler}),
 * which a busy neighbour disturbs far less.
 */
final class ProtectOverhead {
  /** Alternating pairs ({@code bench.protect.rounds}): more, shorter ones on a loaded machine. */
  private static final int ROUNDS = Integer.getInteger("bench.protect.rounds", 3);

  /** JMH measurement iterations of 1 s per side and pair ({@code bench.protect.iterations}). */
  private static final int ITERATIONS = Integer.getInteger("bench.protect.iterations", 5);

  /** JMH warm-up iterations of 1 s per fork ({@code bench.protect.warmups}). */
  private static final int WARMUPS = Integer.getInteger("bench.protect.warmups", 4);

  /**
   * JMH forks per side and pair ({@code bench.protect.forks}): each fork compiles the loop its own
   * way, so one fork per side makes a pair's ratio a draw of two JIT outcomes.
   */
  private static final int FORKS = Integer.getInteger("bench.protect.forks", 1);

  /**
   * {@code bench.protect.jfr=<dir>}: both sides' JVMs record a JFR profile there (Java samples
   * every 1 ms, native every 10 ms), one file per loop, side and pair; with several forks the last
   * fork's recording is the one kept.
   */
  private static final String JFR = System.getProperty("bench.protect.jfr", "");

  /**
   * {@code bench.protect.jvmArgs}: more JVM options for both sides (space-separated; diagnosis).
   */
  private static final List<String> EXTRA = words(System.getProperty("bench.protect.jvmArgs", ""));

  private static final List<String> BASE = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");

  /**
   * {@code bench.protect.off}: what the "off" side is. {@code policy} (default): the same agent
   * with its service's policy in mode off — the state every Kafka-connected agent is in by default,
   * its policy thread reading the topic as the dry-run side's does, so the pair differs by the
   * entry decision alone. {@code brake}: {@code -Dtripline.protect=off}, the operator's local
   * brake, which also stops the policy thread (the pair then differs by that thread too).
   */
  private static final String OFF = System.getProperty("bench.protect.off", "policy");

  /**
   * {@code bench.protect.aa=true}: both sides run the "off" side's settings — a calibration: the
   * spread of its pair ratios is this machine's noise, which a figure of the real pairs cannot
   * resolve below.
   */
  private static final boolean AA = Boolean.getBoolean("bench.protect.aa");

  private static final String SERVICE = "bench-protect";
  private static final String OFF_SERVICE = "bench-protect-off";
  private static final String BLOCKING = "bench-protect-block";

  private final Path agentJar;
  private final EmbeddedKafka kafka;
  private final Report report;

  ProtectOverhead(Path agentJar, EmbeddedKafka kafka, Report report) {
    this.agentJar = agentJar;
    this.kafka = kafka;
    this.report = report;
  }

  void run() throws Exception {
    policy(SERVICE, ProtectionMode.DRY_RUN);
    policy(BLOCKING, ProtectionMode.BLOCK);
    policy(OFF_SERVICE, ProtectionMode.PROTECTION_OFF);
    List<String> agent =
        List.of(
            "-javaagent:" + agentJar.toAbsolutePath(),
            "-Dtripline.kafka.bootstrap.servers=" + kafka.bootstrapServers());
    List<String> off =
        concat(
            concat(BASE, agent),
            OFF.equals("brake")
                ? List.of("-Dtripline.service.name=" + SERVICE, "-Dtripline.protect=off")
                : List.of("-Dtripline.service.name=" + OFF_SERVICE));
    System.out.println("  off side: " + (OFF.equals("brake") ? "local brake" : "policy mode off"));
    List<String> on =
        AA ? off : concat(concat(BASE, agent), List.of("-Dtripline.service.name=" + SERVICE));
    if (AA) {
      System.out.println("  A/A calibration: the dry-run side runs the off side's settings");
    }
    String loops = System.getProperty("bench.loops", "");
    for (String loop : AgentOverhead.LOOPS) {
      if (!loops.isEmpty() && !List.of(loops.split(",")).contains(loop)) {
        continue;
      }
      List<Side> braked = new ArrayList<>();
      List<Side> guarded = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        // the order alternates too: neither side always runs first after a busy moment
        Side b;
        Side g;
        if (round % 2 == 0) {
          b = side(loop, off, "off", round);
          g = side(loop, on, "dry-run", round);
        } else {
          g = side(loop, on, "dry-run", round);
          b = side(loop, off, "off", round);
        }
        braked.add(b);
        guarded.add(g);
        System.out.printf(
            Locale.ROOT,
            "  %s pair %d: wall off %.3f vs dry-run %.3f us/op (x%.3f); worker CPU off %.3f vs"
                + " dry-run %.3f us/op (x%.3f), cheapest iteration %.3f vs %.3f (x%.3f)%n",
            loop,
            round + 1,
            b.wall,
            g.wall,
            g.wall / b.wall,
            b.cpu,
            g.cpu,
            g.cpu / b.cpu,
            b.cpuMin,
            g.cpuMin,
            g.cpuMin / b.cpuMin);
      }
      for (Measure m : Measure.values()) {
        double pairs = spread(loop, m, braked, guarded);
        report.ratio(
            String.format(
                Locale.ROOT,
                "protect mode, dry-run vs off: %s (%s; median pair x%.3f)",
                loop,
                m.label,
                pairs),
            "µs/op",
            Forked.median(values(braked, m)),
            Forked.median(values(guarded, m)),
            "≤ 1.03");
      }
    }
    if (!loops.isEmpty() && !loops.contains("dockerSocketConnect")) {
      return;
    }
    // a refused call against the same call going through (block vs the brake)
    List<String> blockOff =
        concat(
            concat(BASE, agent),
            List.of("-Dtripline.service.name=" + BLOCKING, "-Dtripline.protect=off"));
    List<String> block =
        concat(concat(BASE, agent), List.of("-Dtripline.service.name=" + BLOCKING));
    List<Double> through = new ArrayList<>();
    List<Double> refused = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      through.add(
          AgentOverhead.jmh(ProtectBenchmarks.class, "dockerSocketConnect", blockOff, 4, 5));
      refused.add(AgentOverhead.jmh(ProtectBenchmarks.class, "dockerSocketConnect", block, 4, 5));
      System.out.printf(
          "  dockerSocketConnect round %d: goes through %.3f vs refused %.3f us/op%n",
          round + 1, through.get(round), refused.get(round));
    }
    report.ratio(
        "protect mode, a refused call (block) vs the call going through (off): dockerSocketConnect",
        "µs/op",
        Forked.median(through),
        Forked.median(refused),
        "reported");
  }

  /**
   * One side of a pair, µs/op: JMH's wall-clock score, and the worker thread's CPU in its median
   * iteration and in its cheapest (a neighbour only ever adds to what an iteration costs: the
   * cheapest is the least disturbed).
   */
  private static final class Side {
    final double wall;
    final double cpu;
    final double cpuMin;

    Side(double wall, double cpu, double cpuMin) {
      this.wall = wall;
      this.cpu = cpu;
      this.cpuMin = cpuMin;
    }

    double value(Measure m) {
      return switch (m) {
        case WALL -> wall;
        case CPU -> cpu;
        case CPU_MIN -> cpuMin;
      };
    }
  }

  private enum Measure {
    WALL("wall"),
    CPU("worker CPU, median iteration"),
    CPU_MIN("worker CPU, cheapest iteration");

    final String label;

    Measure(String label) {
      this.label = label;
    }
  }

  private static Side side(String loop, List<String> jvmArgs, String name, int round)
      throws RunnerException {
    List<String> args = concat(jvmArgs, EXTRA);
    if (!JFR.isEmpty()) {
      args = concat(args, List.of(jfr(loop, name, round)));
    }
    Options options =
        new OptionsBuilder()
            .include(IoBenchmarks.class.getName().replace(".", "\\.") + "\\." + loop + "$")
            .forks(FORKS)
            .warmupIterations(WARMUPS)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(ITERATIONS)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(WorkerCpuProfiler.class)
            .jvmArgs(args.toArray(new String[0]))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();
    RunResult result = new Runner(options).runSingle();
    List<Double> cpu = new ArrayList<>();
    for (BenchmarkResult fork : result.getBenchmarkResults()) {
      for (IterationResult i : fork.getIterationResults()) {
        Result<?> r = i.getSecondaryResults().get(WorkerCpuProfiler.LABEL);
        if (r != null) {
          cpu.add(r.getScore() / 1000.0); // ns/op to µs/op
        }
      }
    }
    if (cpu.isEmpty()) {
      throw new IllegalStateException("no worker CPU measured for " + loop);
    }
    // the median iteration: one iteration a neighbour's burst stretched does not move it
    return new Side(result.getPrimaryResult().getScore(), Forked.median(cpu), Collections.min(cpu));
  }

  /** Prints the pairs' ratios (dry-run / off) by {@code m}, sorted; returns their median. */
  private static double spread(String loop, Measure m, List<Side> braked, List<Side> guarded) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < braked.size(); i++) {
      ratios.add(guarded.get(i).value(m) / braked.get(i).value(m));
    }
    ratios.sort(null);
    StringBuilder all = new StringBuilder();
    ratios.forEach(r -> all.append(String.format(Locale.ROOT, " x%.3f", r)));
    double median = Forked.median(ratios);
    System.out.printf(
        Locale.ROOT,
        "  %s, %s: pair ratios min x%.3f, median x%.3f, max x%.3f (sorted:%s)%n",
        loop,
        m.label,
        ratios.get(0),
        median,
        ratios.get(ratios.size() - 1),
        all);
    return median;
  }

  private static List<Double> values(List<Side> sides, Measure m) {
    List<Double> out = new ArrayList<>();
    sides.forEach(s -> out.add(s.value(m)));
    return out;
  }

  private void policy(String service, ProtectionMode mode) throws Exception {
    String topic = "tripline.policy." + service;
    try (Admin admin = kafka.admin()) {
      Topics.ensure(admin, Map.of(topic, 1), (short) 1, Map.of("cleanup.policy", "compact"));
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      ProtectionPolicy dryRun =
          ProtectionPolicy.newBuilder()
              .setSchemaVersion(Schema.VERSION)
              .setService(service)
              .setMode(mode)
              .addKinds(EventKind.PROCESS_SPAWN)
              .addKinds(EventKind.NET_CONNECT)
              .addKinds(EventKind.FILE_READ)
              .setVersion(1)
              .setIssuedAtMs(System.currentTimeMillis())
              .setIssuedBy("bench")
              .build();
      producer
          .send(new ProducerRecord<>(topic, service, dryRun.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static String jfr(String loop, String side, int round) {
    Path file = Path.of(JFR, loop + "-" + side + "-" + (round + 1) + ".jfr").toAbsolutePath();
    return "-XX:StartFlightRecording=settings=profile,jdk.ExecutionSample#period=1ms,filename="
        + file;
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    for (String w : s.split(" ", -1)) {
      if (!w.isBlank()) {
        out.add(w);
      }
    }
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
