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
  private static final int ROUNDS = 3;
  private static final List<String> BASE = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");
  private static final String SERVICE = "bench-protect";

  private final Path agentJar;
  private final EmbeddedKafka kafka;
  private final Report report;

  ProtectOverhead(Path agentJar, EmbeddedKafka kafka, Report report) {
    this.agentJar = agentJar;
    this.kafka = kafka;
    this.report = report;
  }

  void run() throws Exception {
    String topic = "tripline.policy." + SERVICE;
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
              .setService(SERVICE)
              .setMode(ProtectionMode.DRY_RUN)
              .addKinds(EventKind.PROCESS_SPAWN)
              .addKinds(EventKind.NET_CONNECT)
              .addKinds(EventKind.FILE_READ)
              .setVersion(1)
              .setIssuedAtMs(System.currentTimeMillis())
              .setIssuedBy("bench")
              .build();
      producer
          .send(new ProducerRecord<>(topic, SERVICE, dryRun.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    }
    List<String> agent =
        List.of(
            "-javaagent:" + agentJar.toAbsolutePath(),
            "-Dtripline.service.name=" + SERVICE,
            "-Dtripline.kafka.bootstrap.servers=" + kafka.bootstrapServers());
    List<String> off = concat(concat(BASE, agent), List.of("-Dtripline.protect=off"));
    List<String> on = concat(BASE, agent);
    for (String loop : AgentOverhead.LOOPS) {
      List<Double> braked = new ArrayList<>();
      List<Double> guarded = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        braked.add(AgentOverhead.jmh(IoBenchmarks.class, loop, off, 4, 5));
        guarded.add(AgentOverhead.jmh(IoBenchmarks.class, loop, on, 4, 5));
        System.out.printf(
            "  %s round %d: protection off %.3f vs dry-run %.3f us/op%n",
            loop, round + 1, braked.get(round), guarded.get(round));
      }
      report.ratio(
          "protect mode, dry-run vs off: " + loop,
          "µs/op",
          Forked.median(braked),
          Forked.median(guarded),
          "≤ 1.03");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
