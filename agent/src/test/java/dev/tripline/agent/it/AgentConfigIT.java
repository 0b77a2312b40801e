package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.EventBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration never blinds the agent, in real JVMs with the real agent jar: other programs'
 * {@code TRIPLINE_*} variables, a mistyped key and a bad value leave it watching (and said, in
 * stderr and in every heartbeat); the standard Kafka JAAS line works against a real SASL broker; a
 * sink that cannot work is said in one line.
 */
@ExtendWith(KafkaBroker.class)
class AgentConfigIT {
  /**
   * In a container these belong to the CLI, the deploy files, the collector: never to the agent.
   */
  static final Map<String, String> FOREIGN_ENV =
      Map.of("TRIPLINE_HTTP_TOKEN", "x", "TRIPLINE_IMAGE", "y", "TRIPLINE_LEARNING_PERIOD", "2m");

  static final List<String> MISTAKES =
      List.of("-Dtripline.flush.intervall=5s", "-Dtripline.queue.capacity=abc");
  static final String TYPO =
      "configuration key 'tripline.flush.intervall' is unknown (did you mean 'tripline.flush.interval'?); ignored";
  static final String BAD_VALUE =
      "configuration key 'tripline.queue.capacity' is 'abc', expected a positive whole number "
          + "up to 1000000; using the default 8192";

  private static List<Map<String, Object>> lines(Path jsonl) throws Exception {
    if (!Files.exists(jsonl)) {
      return List.of();
    }
    return Files.readAllLines(jsonl, StandardCharsets.UTF_8).stream()
        .filter(l -> l.endsWith("}"))
        .map(MiniJson::object)
        .collect(Collectors.toList());
  }

  private static Optional<Map<String, Object>> heartbeat(Path jsonl) throws Exception {
    return lines(jsonl).stream()
        .filter(l -> "AGENT_HEALTH".equals(l.get("kind")))
        .reduce((a, b) -> b);
  }

  @OnEveryJdk
  void foreignVariablesATypoAndABadValueLeaveTheAgentWatching(Path java, @TempDir Path dir)
      throws Exception {
    Path events = dir.resolve("events.jsonl");
    List<String> props =
        new ArrayList<>(
            List.of("-Dtripline.sink=jsonl:" + events, "-Dtripline.heartbeat.interval=1s"));
    props.addAll(MISTAKES);
    try (Probe app = Probe.start(java, dir.resolve("app"), props, FOREIGN_ENV)) {
      String read = app.read.toString();
      app.awaitUntil(
          "the read in events.jsonl",
          () ->
              lines(events).stream()
                  .anyMatch(e -> "FILE_READ".equals(e.get("kind")) && read.equals(e.get("path"))));
      app.awaitUntil("a heartbeat in events.jsonl", () -> heartbeat(events).isPresent());
      String out = app.stop();

      assertFalse(out.contains("agent disabled"), out);
      assertTrue(out.contains("[tripline] " + TYPO + "\n"), out);
      assertTrue(out.contains("[tripline] " + BAD_VALUE + "\n"), out);
      assertEquals(
          2,
          Probe.count(out, "[tripline]"),
          "one line each, nothing about TRIPLINE_HTTP_TOKEN or TRIPLINE_IMAGE:\n" + out);
      Map<String, Object> health = heartbeat(events).orElseThrow();
      assertEquals(List.of(TYPO, BAD_VALUE), health.get("configWarnings"), health.toString());
      assertEquals(
          List.of(), health.get("hooksMissing"), "every hook woven on this JDK: " + health);
      assertTrue(
          ((List<?>) health.get("hooksApplied")).contains("file.nio.channelOpen"),
          health.toString());
    }
  }

  @OnEveryJdk
  void heartbeatsOnKafkaCarryTheWarningsAndTheHooks(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String topic = "it.config." + Math.abs(java.toString().hashCode());
    KafkaPipelineIT.createTopic(kafka, topic);
    List<String> props = KafkaPipelineIT.agentProps(kafka.bootstrapServers(), topic, "config-svc");
    props.addAll(MISTAKES);
    try (Probe app = Probe.start(java, dir.resolve("app"), props, FOREIGN_ENV);
        BatchConsumer reader = new BatchConsumer(kafka.bootstrapServers(), topic)) {
      app.awaitUntil("the read on Kafka", () -> reader.sawFile(app.read.toString()));
      app.awaitUntil("a heartbeat on Kafka", () -> !reader.heartbeats().isEmpty());
      app.stop();
      List<EventBatch> heartbeats = reader.heartbeats();
      EventBatch heartbeat = heartbeats.get(heartbeats.size() - 1);
      AgentHealth h = heartbeat.getHealth();
      assertEquals(List.of(TYPO, BAD_VALUE), h.getConfigWarningsList(), h.toString());
      assertTrue(
          h.getHooksAppliedList()
              .containsAll(
                  List.of(
                      "process.start",
                      "file.FileInputStream.open",
                      "file.nio.channelOpen",
                      "net.connect",
                      "dns.getAllByName")),
          h.toString());
      assertEquals(List.of(), h.getHooksMissingList(), h.toString());
      assertEquals(
          "y",
          heartbeat.getAgent().getImage(),
          "TRIPLINE_IMAGE is read where it belongs: the identity");
    }
  }

  /**
   * A broker whose SASL listener takes PLAIN logins (user {@code agent}); its PLAINTEXT listener
   * serves the test's reader.
   */
  private static EmbeddedKafka saslBroker() {
    return EmbeddedKafka.builder()
        .listener("SASL", "SASL_PLAINTEXT")
        .property("sasl.enabled.mechanisms", "PLAIN")
        .property(
            "listener.name.sasl.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required user_agent=\"agent-pw-1\";")
        .build()
        .start();
  }

  private static List<String> saslProps(
      EmbeddedKafka broker, String topic, String service, String jaas) {
    List<String> props =
        KafkaPipelineIT.agentProps(
            broker.bootstrapServers("SASL"),
            topic,
            service,
            "-Dtripline.kafka.security.protocol=SASL_PLAINTEXT",
            "-Dtripline.kafka.sasl.mechanism=PLAIN");
    props.add("-Dtripline.kafka.sasl.jaas.config=" + jaas);
    return props;
  }

  @Test
  void theStandardJaasLineLogsInAndTheRealCauseIsSaidWhenTheProducerCannotStart(@TempDir Path dir)
      throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    try (EmbeddedKafka broker = saslBroker()) {
      String topic = "it.config.sasl";
      KafkaPipelineIT.createTopic(broker, topic);
      String standard =
          "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"agent\" password=\"%s\";";

      // Kafka's documented line, as a user copies it: the agent maps it onto its relocated client
      // and logs in.
      try (Probe app =
              Probe.start(
                  java,
                  dir.resolve("ok"),
                  saslProps(broker, topic, "sasl-svc", String.format(standard, "agent-pw-1")),
                  Map.of());
          BatchConsumer reader = new BatchConsumer(broker.bootstrapServers(), topic)) {
        app.awaitUntil(
            "the read on Kafka, sent over SASL/PLAIN", () -> reader.sawFile(app.read.toString()));
        String out = app.stop();
        assertFalse(out.contains("[tripline]"), out);
      }

      // A wrong password: the producer starts, the broker refuses it, and the log says so without
      // the password.
      try (Probe app =
          Probe.start(
              java,
              dir.resolve("wrong"),
              saslProps(broker, topic, "sasl-wrong", String.format(standard, "wrong-pw-2")),
              Map.of())) {
        app.awaitUntil(
            "the refusal",
            () -> app.output().contains("[tripline] cannot deliver events to Kafka at "));
        String out = app.stop();
        assertTrue(out.contains("Authentication failed"), out);
        assertFalse(out.contains("wrong-pw-2") || out.contains("agent off"), out);
      }

      // A login module that does not exist: the producer cannot be built; one line with the real
      // cause, no secret.
      String missing =
          "org.apache.kafka.common.security.nope.NopeLoginModule required username=\"agent\" password=\"agent-pw-3\";";
      try (Probe app =
          Probe.start(
              java, dir.resolve("bad"), saslProps(broker, topic, "sasl-bad", missing), Map.of())) {
        app.awaitUntil("the agent-off line", () -> app.output().contains("[tripline] agent off"));
        String out = app.stop();
        assertTrue(
            out.contains(
                "[tripline] agent off: cannot start the Kafka producer for "
                    + broker.bootstrapServers("SASL")
                    + ": javax.security.auth.login.LoginException: No LoginModule found for "),
            out);
        assertTrue(out.contains("NopeLoginModule; the application runs on without it"), out);
        assertEquals(1, Probe.count(out, "[tripline]"), out);
        assertFalse(out.contains("agent-pw-3") || out.contains("Failed to construct"), out);
        assertTrue(out.contains("PROBE reads="), "the application ran on:\n" + out);
      }
    }
  }

  @Test
  void anUnwritableJsonlSinkIsSaidOnceAndItsDropsAreCounted(@TempDir Path dir) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path events = dir.resolve("no-such-dir").resolve("events.jsonl");
    List<String> props =
        List.of(
            "-Dtripline.sink=jsonl:" + events,
            "-Dtripline.flush.interval=500ms",
            "-Dtripline.heartbeat.interval=1s");
    try (Probe app = Probe.start(java, dir.resolve("app"), props, Map.of())) {
      String line =
          "[tripline] cannot write events to jsonl:"
              + events
              + ": FileNotFoundException: "
              + events;
      app.awaitUntil("the unwritable-sink line", () -> app.output().contains(line));
      String out = app.stop();
      assertEquals(
          1,
          Probe.count(out, "[tripline] cannot write events"),
          "said once, not per batch:\n" + out);
      assertTrue(out.contains("events are dropped and counted as sink_unwritable"), out);
      assertTrue(Probe.mbean(out, "events.dropped.sink_unwritable") > 0, out);
      assertTrue(Probe.mbean(out, "batches.failed") >= 1, out);
      assertFalse(Files.exists(events));
    }
  }
}
