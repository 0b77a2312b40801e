package dev.tripline.bench;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Topics;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Protect mode's cost ({@code -Dbench.which=protect}, docs/benchmarks.md): the repeat loops with
 * the agent, protection off (the brake, {@code -Dtripline.protect=off}: the guarded hooks' entry is
 * one volatile read) against protection on ({@code dry-run} policy of the service on its compacted
 * topic, the real shared judge, which refuses none of these loops: every call pays the entry
 * decision, a repeat its verdict lookup), alternating, side by side in one run.
 */
final class ProtectOverhead {
  /** Alternating rounds ({@code bench.protect.rounds}): more on a loaded machine. */
  private static final int ROUNDS = Integer.getInteger("bench.protect.rounds", 3);

  /** JMH measurement iterations of 1 s per round ({@code bench.protect.iterations}). */
  private static final int ITERATIONS = Integer.getInteger("bench.protect.iterations", 5);

  /**
   * {@code bench.protect.jfr=<dir>}: the protected (dry-run) JVMs record a JFR profile there, one
   * file per loop and round, to see where a guarded call's time goes.
   */
  private static final String JFR = System.getProperty("bench.protect.jfr", "");

  private static final List<String> BASE = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");
  private static final String SERVICE = "bench-protect";
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
    List<String> agent =
        List.of(
            "-javaagent:" + agentJar.toAbsolutePath(),
            "-Dtripline.kafka.bootstrap.servers=" + kafka.bootstrapServers());
    List<String> off =
        concat(
            concat(BASE, agent),
            List.of("-Dtripline.service.name=" + SERVICE, "-Dtripline.protect=off"));
    List<String> on = concat(concat(BASE, agent), List.of("-Dtripline.service.name=" + SERVICE));
    String loops = System.getProperty("bench.loops", "");
    for (String loop : AgentOverhead.LOOPS) {
      if (!loops.isEmpty() && !List.of(loops.split(",")).contains(loop)) {
        continue;
      }
      List<Double> braked = new ArrayList<>();
      List<Double> guarded = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        // the order alternates too: neither side always runs first after a busy moment
        List<String> onArgs = JFR.isEmpty() ? on : concat(on, List.of(jfr(loop, round)));
        double b;
        double g;
        if (round % 2 == 0) {
          b = AgentOverhead.jmh(IoBenchmarks.class, loop, off, 4, ITERATIONS);
          g = AgentOverhead.jmh(IoBenchmarks.class, loop, onArgs, 4, ITERATIONS);
        } else {
          g = AgentOverhead.jmh(IoBenchmarks.class, loop, onArgs, 4, ITERATIONS);
          b = AgentOverhead.jmh(IoBenchmarks.class, loop, off, 4, ITERATIONS);
        }
        braked.add(b);
        guarded.add(g);
        ratios.add(g / b);
        System.out.printf(
            "  %s round %d: protection off %.3f vs dry-run %.3f us/op (x%.3f)%n",
            loop, round + 1, b, g, g / b);
      }
      ratios.sort(null);
      System.out.printf(
          "  %s: pair ratios min x%.3f, median x%.3f, max x%.3f%n",
          loop, ratios.get(0), Forked.median(ratios), ratios.get(ratios.size() - 1));
      report.ratio(
          "protect mode, dry-run vs off: " + loop,
          "µs/op",
          Forked.median(braked),
          Forked.median(guarded),
          "≤ 1.03");
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

  private static String jfr(String loop, int round) {
    Path file = Path.of(JFR, loop + "-" + (round + 1) + ".jfr").toAbsolutePath();
    return "-XX:StartFlightRecording=settings=profile,filename=" + file;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
