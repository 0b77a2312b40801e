package dev.tripline.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The agent's cost to an application, always measured side by side in one run: each loop, the
 * start-up and the heap, without and with the agent, alternating, so the machine's noise hits both
 * alike. The agent sends to a real (embedded) Kafka, as in production.
 */
final class AgentOverhead {
  static final List<String> LOOPS = List.of("fileOpenReadClose", "loopbackConnect", "processSpawn");

  /**
   * Issue 13/15: every operation new to the agent, and the executor hand-off; shorter runs (2 + 3 ×
   * 1 s, 2 rounds) to fit the time budget.
   */
  static final List<String> NEW_LOOPS =
      List.of(
          "distinctTempFile",
          "distinctDestination",
          "executorSubmitAndWait",
          "executorSubmitNoWait");

  private static final int ROUNDS = 3;
  private static final int NEW_ROUNDS = 2;
  private static final int STARTS = 15;
  private static final int HEAP_RUNS = 3;
  private static final List<String> BASE = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");

  private final List<String> withAgent;
  private final Report report;

  AgentOverhead(Path agentJar, String bootstrap, Report report) {
    List<String> agent = new ArrayList<>();
    agent.add("-javaagent:" + agentJar.toAbsolutePath());
    agent.add("-Dtripline.service.name=bench");
    agent.add("-Dtripline.kafka.bootstrap.servers=" + bootstrap);
    // e.g. -Dbench.agent.options=-Dtripline.sink=none: the agent without its sender
    for (String o : System.getProperty("bench.agent.options", "").split(" ")) {
      if (!o.isBlank()) agent.add(o);
    }
    this.withAgent = List.copyOf(agent);
    this.report = report;
  }

  /**
   * Issue 15: Netty's native transport, the library hooks' repeat path (5 rounds of 4 + 5 × 1 s: a
   * loop that hops to Netty's event loop is noisier than a JDK one).
   */
  static final List<String> NETTY_LOOPS =
      List.of("epollDatagramSend", "epollDatagramSendOnLoop", "epollDatagramBatch", "epollConnect");

  private static final int NETTY_ROUNDS = 5;

  /**
   * The Netty loops alone ({@code -Dbench.which=netty}): with vs without the agent, alternating.
   */
  void netty() throws RunnerException {
    steadyLoops(NettyBenchmarks.class, NETTY_LOOPS, NETTY_ROUNDS, "Netty epoll loop: ");
  }

  /**
   * Steady-state loops (µs/op, 4 + 5 × 1 s), without and with the agent alternately; one ratio row
   * each.
   */
  private void steadyLoops(Class<?> benchmarks, List<String> loops, int rounds, String label)
      throws RunnerException {
    for (String loop : loops) {
      List<Double> without = new ArrayList<>();
      List<Double> with = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        without.add(jmh(benchmarks, loop, BASE, 4, 5));
        with.add(jmh(benchmarks, loop, concat(BASE, withAgent), 4, 5));
        System.out.printf(
            "  %s round %d: %.3f vs %.3f us/op%n",
            loop, round + 1, without.get(round), with.get(round));
      }
      report.ratio(label + loop, "µs/op", Forked.median(without), Forked.median(with), "≤ 1.03");
    }
  }

  /**
   * Before/after ({@code -Dbench.baseline.jar}): the repeat and new-behaviour loops with no agent,
   * the baseline jar and this one, alternating ({@link SideBySide}); {@code -Dbench.loops=a,b}
   * picks loops by name.
   */
  void sideBySide(Path baselineJar) throws Exception {
    List<String> baseline = new ArrayList<>(withAgent);
    baseline.set(0, "-javaagent:" + baselineJar.toAbsolutePath());
    String only = System.getProperty("bench.loops", "");
    List<SideBySide.Loop> loops = new ArrayList<>();
    for (String loop : LOOPS) {
      loops.add(new SideBySide.Loop(IoBenchmarks.class, loop, false, 4, 5));
    }
    // 2 s of warm-up by default; -Dbench.firstsight.warmups=20 measures after the agent's Kafka
    // client has been compiled (its JIT runs for the first ~20 s of a busy sender: start-up cost a
    // short fork would charge to every operation)
    int warmups = Integer.getInteger("bench.firstsight.warmups", 2);
    for (String loop : List.of("distinctTempFile", "distinctDestination")) {
      loops.add(new SideBySide.Loop(NewBehaviourBenchmarks.class, loop, true, warmups, 3));
    }
    if (!only.isEmpty()) {
      List<String> names = List.of(only.split(","));
      loops.removeIf(l -> !names.contains(l.name()));
    }
    new SideBySide(BASE, concat(BASE, baseline), concat(BASE, withAgent), report).run(loops);
  }

  void run(boolean launchToMain) throws Exception {
    steadyLoops(IoBenchmarks.class, LOOPS, ROUNDS, "loop: ");
    newBehaviour();
    if (launchToMain) {
      startup();
    }
    heap();
  }

  /**
   * Throughput of the new-behaviour loops, without and with the agent alternately; one table row
   * per loop.
   */
  private void newBehaviour() throws RunnerException {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "New behaviour and hand-off loops (JMH throughput, %d × 1 s warm-up, %d × 1 s measurement, one fork, %d alternating rounds; median)%n%n",
            2,
            3,
            NEW_ROUNDS));
    b.append(
        "| loop | without agent, ops/s | with agent, ops/s | with / without (throughput) | rounds (with / without) |\n|---|---|---|---|---|\n");
    for (String loop : NEW_LOOPS) {
      List<Double> without = new ArrayList<>();
      List<Double> with = new ArrayList<>();
      StringBuilder rounds = new StringBuilder();
      for (int round = 0; round < NEW_ROUNDS; round++) {
        without.add(jmh(NewBehaviourBenchmarks.class, loop, BASE, 2, 3));
        with.add(jmh(NewBehaviourBenchmarks.class, loop, concat(BASE, withAgent), 2, 3));
        System.out.printf(
            "  %s round %d: %.0f vs %.0f ops/s%n",
            loop, round + 1, without.get(round), with.get(round));
        rounds
            .append(round == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "×%.2f", with.get(round) / without.get(round)));
      }
      double a = Forked.median(without);
      double w = Forked.median(with);
      b.append(
          String.format(
              Locale.ROOT, "| %s | %,.0f | %,.0f | ×%.3f | %s |%n", loop, a, w, w / a, rounds));
    }
    report.section(b.toString());
  }

  static double jmh(
      Class<?> benchmarks, String benchmark, List<String> jvmArgs, int warmups, int measurements)
      throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(benchmarks.getName().replace(".", "\\.") + "\\." + benchmark + "$")
            .forks(1)
            .warmupIterations(warmups)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(measurements)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgs(jvmArgs.toArray(new String[0]))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();
    RunResult result = new Runner(options).runSingle();
    return result.getPrimaryResult().getScore();
  }

  private void startup() throws IOException, InterruptedException {
    List<Long> without = new ArrayList<>();
    List<Long> with = new ArrayList<>();
    List<Long> exitWithout = new ArrayList<>();
    List<Long> exitWith = new ArrayList<>();
    for (int i = 0; i < STARTS; i++) {
      long[] a = launchToMain(BASE);
      long[] b = launchToMain(concat(BASE, withAgent));
      without.add(a[0]);
      with.add(b[0]);
      exitWithout.add(a[1]);
      exitWith.add(b[1]);
    }
    report.difference(
        "JVM launch to main", "ms", Forked.median(without), Forked.median(with), "≤ +200 ms");
    report.difference(
        "JVM launch to exit (empty main)",
        "ms",
        Forked.median(exitWithout),
        Forked.median(exitWith),
        "— (exit waits for the last flush)");
  }

  /** {ms from launch to main, ms from launch to exit}. */
  private static long[] launchToMain(List<String> jvmArgs)
      throws IOException, InterruptedException {
    long t0 = System.currentTimeMillis();
    long mainAt =
        Long.parseLong(
            Forked.valueOf(Forked.command(jvmArgs, StartupApp.class.getName()), "MAIN_AT "));
    return new long[] {mainAt - t0, System.currentTimeMillis() - t0};
  }

  private void heap() throws IOException, InterruptedException {
    List<Long> without = new ArrayList<>();
    List<Long> with = new ArrayList<>();
    for (int i = 0; i < HEAP_RUNS; i++) {
      without.add(
          Long.parseLong(
              Forked.valueOf(Forked.command(BASE, HeapApp.class.getName()), "HEAP_USED ")));
      with.add(
          Long.parseLong(
              Forked.valueOf(
                  Forked.command(concat(BASE, withAgent), HeapApp.class.getName()), "HEAP_USED ")));
    }
    double mb = 1024.0 * 1024.0;
    report.difference(
        "heap after GC, 20k files + 2k connects + 50 spawns",
        "MiB",
        Forked.median(without) / mb,
        Forked.median(with) / mb,
        "≤ +20 MiB");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
