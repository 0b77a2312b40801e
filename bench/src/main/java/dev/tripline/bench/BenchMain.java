package dev.tripline.bench;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code BenchMain <agent|collector|all> <tripline-agent.jar> <report.md>}: runs the benchmarks
 * against an embedded Kafka and writes their figures as Markdown (see docs/benchmarks.md).
 */
public final class BenchMain {
  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "all";
    Path agentJar = Path.of(args.length > 1 ? args[1] : "agent/target/tripline-agent.jar");
    Path out = Path.of(args.length > 2 ? args[2] : "bench/target/benchmarks.md");
    if (!Files.isRegularFile(agentJar)) {
      throw new IllegalArgumentException("no agent jar at " + agentJar + ": build it first (./mvnw install -DskipTests)");
    }
    Report report = new Report();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      try (Admin admin = kafka.admin()) {
        Topics.ensure(admin, Map.of("tripline.events", 3), (short) 1, Map.of());
      }
      if (which.equals("all") || which.equals("agent")) {
        System.out.println("agent overhead (JMH, with vs without the agent, alternating)…");
        new AgentOverhead(agentJar, kafka.bootstrapServers(), report).run();
      }
      if (which.equals("all") || which.equals("collector")) {
        System.out.println("collector throughput and latency…");
        new CollectorBench(kafka, agentJar, report).run();
      }
    }
    report.write(out);
    System.out.println();
    System.out.println(report.markdown());
    System.out.println("written to " + out);
    System.exit(0); // Kafka Streams and JMH leave non-daemon threads behind
  }
}
