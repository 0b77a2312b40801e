package dev.tripline.collector.attack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.it.Jdks;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.Severity;
import dev.tripline.vulnapp.LivenessApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 end to end: the real agent in forked JVMs, its heartbeats through a real broker into the
 * real collector pipeline. On every JDK of this machine, one instance tries to claim the agent's
 * thread identity (AGENT_TAMPERED names it) and is then killed without a goodbye (AGENT_SILENT
 * names it, HIGH because another instance of the service still reports).
 */
@ExtendWith(KafkaBroker.class)
class LivenessIT {
  private static final Duration WAIT = Patience.WAIT;
  private static final String SERVICE = "lively";

  @Test
  void tamperingIsReportedAndAKilledInstanceIsSilent(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    Path agent = AttackSuiteIT.agentJar(dir);
    List<Instance> all = new ArrayList<>();
    try (PipelineFixtures f =
            new PipelineFixtures(
                // 20 s, not 3: at load 20 a live instance's 500 ms heartbeats were 3 s late, so
                // it looked silent too and the killed ones' alerts said "no instance reports"
                kafka, dir.resolve("collector"), 1, "liveness.silent.after", "20s");
        DetectionPipeline pipeline =
            f.pipeline(dir.resolve("state").toString(), new SimpleMeterRegistry())) {
      AnalystBackend backend = pipeline.backend();
      List<Instance> tampered = new ArrayList<>();
      List<Instance> clean = new ArrayList<>();
      for (Path java : Jdks.all()) {
        tampered.add(Instance.start(java, agent, f, "tamper", dir));
        clean.add(Instance.start(java, agent, f, "quiet", dir));
      }
      Instance alive = Instance.start(Jdks.all().get(0), agent, f, "quiet", dir);
      all.addAll(tampered);
      all.addAll(clean);
      all.add(alive);
      for (Instance t : tampered) {
        assertTrue(t.output().contains("no markAgentThread on the bridge"), t.output());
        assertTrue(t.output().contains("connected as the agent's Kafka thread"), t.output());
      }

      // Each tampering instance is named by an AGENT_TAMPERED alert with the agent's finding.
      for (Instance t : tampered) {
        Alert a =
            await("AGENT_TAMPERED for pid " + t.pid())
                .atMost(WAIT)
                .until(() -> alertFor(backend, AlertReason.AGENT_TAMPERED, t), Optional::isPresent)
                .orElseThrow();
        assertTrue(a.getDescription().contains("refused markAgentThread"), a.getDescription());
        assertEquals(Severity.HIGH, a.getSeverity(), a.getTitle());
      }
      assertEquals(
          Optional.empty(),
          clean.stream()
              .map(c -> alertFor(backend, AlertReason.AGENT_TAMPERED, c))
              .flatMap(Optional::stream)
              .findAny());

      // The clean instances exit (their goodbye is best effort at JVM exit: a loaded machine may
      // lose it, so LivenessTest, not this test, holds that a goodbye is no silence).
      for (Instance c : clean) {
        c.stopCleanly();
      }
      for (Instance t : tampered) {
        t.kill();
      }
      for (Instance t : tampered) {
        Alert a =
            await("AGENT_SILENT for pid " + t.pid())
                .atMost(WAIT)
                .until(() -> alertFor(backend, AlertReason.AGENT_SILENT, t), Optional::isPresent)
                .orElseThrow();
        assertEquals(Severity.HIGH, a.getSeverity(), a.getDescription());
        assertTrue(a.getDescription().contains("never said goodbye"), a.getDescription());
        assertTrue(a.getDescription().contains("Other instances"), a.getDescription());
      }
      alive.stopCleanly();
    } finally {
      for (Instance i : all) {
        i.process.destroyForcibly();
      }
    }
  }

  private static Optional<Alert> alertFor(AnalystBackend backend, AlertReason reason, Instance i) {
    return AttackSuiteIT.alertsOf(backend, SERVICE).stream()
        .filter(a -> a.getReason() == reason && a.getAgent().getPid() == i.pid())
        .findFirst();
  }

  /** One JVM of the service with the agent attached. */
  record Instance(Process process, Path out, Path stop) {
    static Instance start(Path java, Path agent, PipelineFixtures f, String mode, Path dir)
        throws Exception {
      Path own = Files.createTempDirectory(dir, mode);
      List<String> cmd =
          List.of(
              java.toString(),
              "-javaagent:" + agent,
              "-Dtripline.kafka.bootstrap.servers=" + f.config.get(CollectorKeys.BOOTSTRAP_SERVERS),
              "-Dtripline.kafka.topic=" + f.config.get(CollectorKeys.TOPIC_EVENTS),
              "-Dtripline.service.name=" + SERVICE,
              "-Dtripline.flush.interval=500ms",
              "-Dtripline.heartbeat.interval=500ms",
              "-cp",
              Path.of(LivenessApp.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                  .toString(),
              LivenessApp.class.getName(),
              mode,
              own.resolve("stop").toString());
      Path out = own.resolve("out.txt");
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      Instance i = new Instance(p, out, own.resolve("stop"));
      await()
          .atMost(WAIT)
          .until(() -> i.output().contains("LivenessApp " + mode + " ready") || !p.isAlive());
      assertTrue(i.output().contains("LivenessApp " + mode + " ready"), i.output());
      return i;
    }

    long pid() {
      return process.pid();
    }

    String output() throws IOException {
      return Files.exists(out) ? Files.readString(out) : "";
    }

    void stopCleanly() throws Exception {
      Files.writeString(stop, "");
      if (!process.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("did not stop: " + output());
      }
      assertEquals(0, process.exitValue(), output());
    }

    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
