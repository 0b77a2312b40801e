package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.ProtectionMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protect mode's context frame count (issue 23) in a real JVM with the real agent, broker and
 * judge, in block. Connects on a thread without a JNDI frame are not walked; JNDI callbacks are
 * refused inside {@code InitialContext.lookup} (LDAP URL context) and from a registry context's own
 * {@code lookup} after the lookup that returned it; the count comes back to zero after a refusal
 * propagated out of the JNDI frames (no walks again); and a payload working the bridge's public
 * surface can only raise it (its JNDI callback is still refused, and its connects are walked).
 * Spawns: not walked on a plain thread; refused from a deserialized object's {@code readObject} and
 * from an XML entity resolver inside the JDK's parser, with the count back to zero after each; a
 * library deserializer's class (not woven) makes every later spawn walk, and its spawn is refused.
 */
@ExtendWith(KafkaBroker.class)
class ContextFrameCountIT {
  static final class App extends ForkedApp {
    App(Path java, Path dir, List<String> props, String main, String... args)
        throws java.io.IOException {
      super(java, dir, props, Map.of(), main, args);
    }
  }

  @OnEveryJdk
  void jndiCallbacksAreRefusedAndOtherConnectsAreNotWalked(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (ProtectModeIT.Listener peer = new ProtectModeIT.Listener();
        App app =
            blocking(
                java,
                kafka,
                dir,
                "jndi-count-",
                "dev.tripline.testapp.JndiCountApp",
                Integer.toString(peer.port()))) {
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

  @OnEveryJdk
  void gadgetSpawnsAreRefusedAndOtherSpawnsAreNotWalked(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (App app =
        blocking(java, kafka, dir, "spawn-count-", "dev.tripline.testapp.SpawnCountApp")) {
      app.awaitUntil("the run to finish", () -> app.output().contains("DONE"));
      String out = app.stop();
      assertTrue(out.contains("PROTECTION 2"), out);
      assertEquals(0, walks(out, "SPAWN"), "a thread without context frames is not walked: " + out);
      assertTrue(out.contains("DESER refused"), "the gadget's spawn is refused: " + out);
      assertTrue(out.contains("(rule gadget-spawn"), out);
      assertEquals(0, walks(out, "AFTER-DESER"), "the count is back to zero: " + out);
      assertTrue(out.contains("XXE refused"), "the entity resolver's spawn is refused: " + out);
      assertTrue(out.contains("(rule xxe-spawn"), out);
      assertEquals(0, walks(out, "AFTER-XXE"), "the count is back to zero: " + out);
      assertTrue(out.contains("LIBRARY refused"), "the library gadget's spawn is refused: " + out);
      assertTrue(walks(out, "AFTER-LIBRARY") >= 20, "uncounted library frames: walks: " + out);
      assertTrue(!out.contains("PLAIN failed"), "plain spawns are never refused: " + out);
    }
  }

  /** The app {@code main} as service {@code prefix…} of its own, with a block policy in force. */
  private static App blocking(
      Path java, EmbeddedKafka kafka, Path dir, String prefix, String main, String... args)
      throws Exception {
    String service = prefix + Math.abs(java.toString().hashCode());
    List<String> props = ProtectModeIT.underPolicy(kafka, service, ProtectionMode.BLOCK);
    return new App(java, dir, props, main, args);
  }

  private static long walks(String out, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + " walks=(-?\\d+)$").matcher(out);
    assertTrue(m.find(), label + " missing: " + out);
    return Long.parseLong(m.group(1));
  }
}
