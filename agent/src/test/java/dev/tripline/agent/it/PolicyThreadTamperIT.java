package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Topics;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ProtectionMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code in the JVM attacks the agent's policy thread instead of the policy: it interrupts the thread
 * every millisecond for seconds (and, on JDKs that still allow it, {@code Thread.stop}s it). Block
 * mode must hold throughout — not one known-bad lookup gets through — and the heartbeat must name
 * the attempt as tampering while protection stays in force (not "failed open"). Before the fix each
 * interrupt made the thread report an unreadable topic and fail open until it reconnected.
 */
@ExtendWith(KafkaBroker.class)
class PolicyThreadTamperIT {
  private static final Pattern TAMPER =
      Pattern.compile("TAMPER reached=(\\d+) refused=(\\d+) interrupts=(\\d+) stopped=(\\w+)");

  /** {@link dev.tripline.testapp.PolicyTamperApp} with the agent. */
  static final class App extends ForkedApp {
    App(Path java, Path dir, List<String> props, int ldap) throws java.io.IOException {
      super(
          java,
          dir,
          props,
          Map.of(),
          "dev.tripline.testapp.PolicyTamperApp",
          Integer.toString(ldap),
          dir.resolve("stop").toString(),
          "6000");
    }
  }

  @OnEveryJdk
  void interruptingOrStoppingThePolicyThreadNeitherLiftsBlockNorGoesUnseen(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String service = "policy-tamper-" + Math.abs(java.toString().hashCode());
    String events = "it.events." + service;
    String policies = ProtectModeIT.policyTopic(service);
    try (Admin admin = kafka.admin()) {
      Topics.ensure(admin, Map.of(events, 1), (short) 1, BatchConsumer.logAppendTime());
      Topics.ensure(admin, Map.of(policies, 1), (short) 1, Map.of("cleanup.policy", "compact"));
    }
    List<String> props =
        KafkaPipelineIT.agentProps(
            kafka.bootstrapServers(),
            events,
            service,
            "-Dtripline.protect.policy.topic=it.policy",
            "-Dtripline.heartbeat.interval=1s");
    try (ProtectModeIT.Listener ldap = new ProtectModeIT.Listener();
        KafkaProducer<String, byte[]> producer = ProtectModeIT.producer(kafka);
        App app = new App(java, dir.resolve("app"), props, ldap.port());
        BatchConsumer topic = new BatchConsumer(kafka.bootstrapServers(), events)) {
      ProtectModeIT.send(
          producer,
          policies,
          service,
          ProtectModeIT.policy(service, ProtectionMode.BLOCK, 1).build().toByteArray());
      app.awaitUntil("the tamper run's end", () -> TAMPER.matcher(app.output()).find());
      Matcher m = TAMPER.matcher(app.output());
      assertTrue(m.find());
      assertEquals(0, Integer.parseInt(m.group(1)), "lookups that got through: " + app.output());
      assertTrue(Integer.parseInt(m.group(2)) > 0, app.output());
      assertTrue(Integer.parseInt(m.group(3)) > 100, "interrupts sent: " + app.output());
      app.awaitUntil(
          "a heartbeat naming the attempt, protection still in force",
          () -> {
            AgentHealth h = lastHealth(topic);
            return h.getTamperFindingsList().stream().anyMatch(f -> f.startsWith("policy thread"))
                && h.getProtectionMode() == ProtectionMode.BLOCK;
          });
      String out = app.stop();
      assertFalse(out.contains("protection fails open"), out);
      for (EventBatch b : topic.heartbeats()) {
        assertFalse(b.getHealth().getProtectionFailedOpen(), "failed open: " + b.getHealth());
      }
    }
  }

  private static AgentHealth lastHealth(BatchConsumer topic) throws Exception {
    List<EventBatch> beats = topic.heartbeats();
    return beats.isEmpty()
        ? AgentHealth.getDefaultInstance()
        : beats.get(beats.size() - 1).getHealth();
  }
}
