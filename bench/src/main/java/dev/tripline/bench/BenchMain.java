package dev.tripline.bench;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code BenchMain <agent|collector|startup|protect|all> <tripline-agent.jar> <report.md>}: runs
 * the benchmarks against an embedded Kafka and writes their figures as Markdown (see
 * docs/benchmarks.md). {@code startup} (also part of {@code all}) needs no Kafka: the whole-process
 * start-up harness, its per-phase line, class-data sharing and the Spring Boot app.
 *
 * <p>System properties: {@code bench.otel.jar} (the OpenTelemetry agent, fetched by the bench
 * profile), {@code bench.spring.jar} (the executable jar of module it-spring), {@code bench.rounds}
 * (trivial main, default 7), {@code bench.spring.rounds} (default 5), {@code bench.appcds.rounds}
 * (default 3), {@code bench.baseline.jar} (another build of the agent: the trivial main is then
 * also launched with it, alternately with the rest, for a before/after comparison; with {@code
 * agent} the loops run side by side instead — no agent, baseline, this agent — see {@link
 * SideBySide}, with {@code bench.ab.rounds} (default 4) and {@code bench.loops} (names, comma
 * separated)), {@code bench.agent.options} (extra JVM options of the agent runs, space separated).
 */
public final class BenchMain {
  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "all";
    Path agentJar = Path.of(args.length > 1 ? args[1] : "agent/target/tripline-agent.jar");
    Path out = Path.of(args.length > 2 ? args[2] : "bench/target/benchmarks.md");
    if (!Files.isRegularFile(agentJar)) {
      throw new IllegalArgumentException(
          "no agent jar at " + agentJar + ": build it first (./mvnw install -DskipTests)");
    }
    Report report = new Report();
    if (which.equals("all") || which.equals("startup")) {
      startup(agentJar, out.toAbsolutePath().getParent().resolve("startup-work"), report);
    }
    if (which.equals("all")
        || which.equals("agent")
        || which.equals("netty")
        || which.equals("protect")
        || which.equals("collector")) {
      try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
        try (Admin admin = kafka.admin()) {
          Topics.ensure(admin, Map.of("tripline.events", 3), (short) 1, Map.of());
        }
        if (which.equals("all") || which.equals("agent")) {
          System.out.println("agent overhead (JMH, with vs without the agent, alternating)…");
          // in a full run the whole-process start-up section replaces the older launch-to-main rows
          String baseline = System.getProperty("bench.baseline.jar", "");
          if (which.equals("agent") && !baseline.isEmpty()) {
            System.out.println("… side by side with the baseline agent " + baseline);
            new AgentOverhead(agentJar, kafka.bootstrapServers(), report)
                .sideBySide(Path.of(baseline));
          } else {
            new AgentOverhead(agentJar, kafka.bootstrapServers(), report).run(!which.equals("all"));
          }
        }
        if (which.equals("all") || which.equals("netty")) {
          System.out.println(
              "agent overhead on Netty's epoll transport (JMH, with vs without, alternating)…");
          new AgentOverhead(agentJar, kafka.bootstrapServers(), report).netty();
        }
        if (which.equals("protect")) {
          System.out.println("protect mode: the repeat loops, protection off vs dry-run…");
          new ProtectOverhead(agentJar, kafka, report).run();
        }
        if (which.equals("all") || which.equals("collector")) {
          System.out.println("collector throughput and latency…");
          new CollectorBench(kafka, agentJar, report).run();
        }
      }
    }
    report.write(out);
    System.out.println();
    System.out.println(report.markdown());
    System.out.println("written to " + out);
    System.exit(0); // Kafka Streams and JMH leave non-daemon threads behind
  }

  private static void startup(Path agentJar, Path work, Report report) throws Exception {
    String otel = System.getProperty("bench.otel.jar", "");
    String baseline = System.getProperty("bench.baseline.jar", "");
    Agents agents =
        new Agents(
            agentJar,
            otel.isEmpty() ? null : Path.of(otel),
            baseline.isEmpty() ? null : Path.of(baseline));
    if (!agents.hasOtel()) {
      System.out.println(
          "no OpenTelemetry agent at '" + otel + "' (-Dbench.otel.jar): its rows are left out");
    }
    System.out.println("start-up, trivial main (whole process, alternating)…");
    new StartupBench(agents, report, Integer.getInteger("bench.rounds", 7), work).run();
    String spring = System.getProperty("bench.spring.jar", "");
    System.out.println("start-up, Spring Boot app: time to first request…");
    new SpringBench(
            agents,
            report,
            Integer.getInteger("bench.spring.rounds", 5),
            Integer.getInteger("bench.appcds.rounds", 3),
            work,
            spring.isEmpty() ? null : Path.of(spring))
        .run();
  }
}
