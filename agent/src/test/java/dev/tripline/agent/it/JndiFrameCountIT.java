package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Topics;
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
 * Protect mode's JNDI frame count (issue 23) in a real JVM with the real agent, broker and judge,
 * in block: connects on a thread without a JNDI frame are not walked; JNDI callbacks are refused
 * inside {@code InitialContext.lookup} (LDAP URL context) and from a registry context's own {@code
 * lookup} after the lookup that returned it; the count comes back to zero after a refusal
 * propagated out of the JNDI frames (no walks again); and a payload working the bridge's public
 * surface can only raise it (its JNDI callback is still refused, and its connects are walked).
 */
@ExtendWith(KafkaBroker.class)
class JndiFrameCountIT {
  private static final String POLICY_PREFIX = "it.policy";

  static final class App extends ForkedApp {
    App(Path java, Path dir, List<String> props, int port) throws java.io.IOException {
      super(
          java, dir, props, Map.of(), "dev.tripline.testapp.JndiCountApp", Integer.toString(port));
    }
  }

  @OnEveryJdk
  void jndiCallbacksAreRefusedAndOtherConnectsAreNotWalked(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String service = "jndi-count-" + Math.abs(java.toString().hashCode());
    String events = "it.events." + service;
    String policies = POLICY_PREFIX + "." + service;
    try (Admin admin = kafka.admin()) {
      Topics.ensure(admin, Map.of(events, 1), (short) 1, BatchConsumer.logAppendTime());
      Topics.ensure(admin, Map.of(policies, 1), (short) 1, Map.of("cleanup.policy", "compact"));
    }
    try (KafkaProducer<String, byte[]> producer = ProtectModeIT.producer(kafka)) {
      ProtectModeIT.send(
          producer,
          policies,
          service,
          ProtectModeIT.policy(service, ProtectionMode.BLOCK, 1).build().toByteArray());
    }
    List<String> props =
        KafkaPipelineIT.agentProps(
            kafka.bootstrapServers(),
            events,
            service,
            "-Dtripline.protect.policy.topic=" + POLICY_PREFIX);
    try (ProtectModeIT.Listener peer = new ProtectModeIT.Listener();
        App app = new App(java, dir, props, peer.port())) {
      app.awaitUntil("the run to finish", () -> app.output().contains("DONE"));
      String out = app.stop();
      assertTrue(out.contains("PROTECTION 2"), out);
      assertEquals(0, walks(out, "PLAIN"), "a thread without JNDI frames is not walked: " + out);
      assertTrue(out.contains("LDAP refused"), "the LDAP callback is refused: " + out);
      assertTrue(out.contains("(rule jndi-"), out);
      assertEquals(0, walks(out, "AFTER-LDAP"), "the count is back to zero: " + out);
      assertTrue(out.contains("RMI refused"), "the registry context's connect is refused: " + out);
      assertEquals(0, walks(out, "AFTER-RMI"), "the count is back to zero: " + out);
      assertTrue(out.contains("ATTACKED-LDAP refused"), "still refused after the payload: " + out);
      assertTrue(walks(out, "ATTACKED") >= 20, "the bridge's mark only raised the count: " + out);
      assertTrue(!out.contains("PLAIN failed"), "plain connects are never refused: " + out);
    }
  }

  private static long walks(String out, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + " walks=(-?\\d+)$").matcher(out);
    assertTrue(m.find(), label + " missing: " + out);
    return Long.parseLong(m.group(1));
  }
}
