package dev.tripline.agent.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The connect and spawn decisions with a context frame count (issue 23): a count of zero judges
 * without a stack walk under the key a walked stack without jndi frames gets too (one verdict for
 * both); a count above zero walks and still refuses a real JNDI frame; a {@code context.frames}
 * entry naming a counted category makes the count useless, so every connect walks. A spawn (its
 * rules read JNDI, deserialization, script/EL and XML-entity frames) is not walked at a zero count
 * either, until a library class with uncounted frames of those categories is loaded; connects never
 * walk for one.
 */
class ContextCountDecisionTest {
  private static EventRecorder recorder(String contextFrames) {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", "shop");
    p.setProperty("tripline.sink", "none");
    if (!contextFrames.isEmpty()) {
      p.setProperty("tripline.context.frames", contextFrames);
    }
    return new EventRecorder(AgentConfig.load(p, Map.of()), new AgentStats(), () -> 42L);
  }

  private static ProtectionState block() {
    ProtectionState s = PoliciesInForce.inForce(ProtectionMode.BLOCK);
    assertTrue(
        s.current().countable.contains(EventKind.NET_CONNECT)
            && s.current().markedOnly.contains(EventKind.NET_CONNECT),
        "the built-in connect rules need a jndi frame");
    return s;
  }

  @Test
  void aZeroCountJudgesWithoutAWalkAndAgreesWithAWalkedStack() throws Exception {
    ProtectionState s = block();
    EntryDecisions walking =
        new EntryDecisions(s, recorder("").candidates(), () -> false, () -> true, () -> false);
    EntryDecisions frameless = walking.onFramelessThread(); // the gate's count said 0
    InetAddress peer = InetAddress.getByName("10.1.2.3");

    // walked (count 1), only reflection on the stack: cached under the key of "no jndi frame"
    Method connect =
        EntryDecisions.class.getMethod("connect", InetAddress.class, int.class, Throwable.class);
    connect.invoke(walking, peer, 1389, null);
    long walked = s.contextWalks();
    assertTrue(walked >= 1);

    for (int i = 0; i < 100; i++) {
      frameless.connect(peer, 1389, null); // the walked verdict serves: no walk, no new judgement
    }
    assertEquals(walked, s.contextWalks(), "no walk at a zero count");
    assertEquals(0, s.blocked());

    // a real JNDI frame on the stack (count above 0): walked, and refused
    RefusedCall refused =
        assertThrows(
            RefusedCall.class,
            () -> VerdictCacheTest.lookup(() -> walking.connect(peer, 1389, null)));
    assertTrue(refused.rule.startsWith("jndi-"), refused.rule);
    assertTrue(s.contextWalks() > walked);

    AgentHealth.Builder h = AgentHealth.newBuilder();
    s.addTo(h);
    assertEquals(s.contextWalks(), h.getProtectionCountsMap().get("context_walks"));
  }

  @Test
  void userFramesInACountedCategoryMakeEveryConnectWalk() throws Exception {
    ProtectionState s = block();
    EventRecorder r = recorder("jndi=com.acme.naming.");
    assertFalse(r.candidates().countable());
    EntryDecisions d =
        new EntryDecisions(s, r.candidates(), () -> false, () -> true, () -> false)
            .onFramelessThread();
    InetAddress peer = InetAddress.getByName("10.1.2.5");
    for (int i = 0; i < 10; i++) {
      d.connect(peer, 8080, null);
    }
    assertTrue(s.contextWalks() >= 10, "the count is not trusted: every connect walks");
  }

  @Test
  void aSpawnWithoutCountedFramesIsNotWalkedUntilALibrarysUncountedFramesAreLoaded()
      throws Exception {
    ProtectionState s = block();
    assertTrue(s.current().countable.contains(EventKind.PROCESS_SPAWN), "spawn rules: counted");
    assertFalse(s.current().markedOnly.contains(EventKind.PROCESS_SPAWN), "not JNDI only");
    AtomicBoolean library = new AtomicBoolean();
    EntryDecisions d =
        new EntryDecisions(s, recorder("").candidates(), () -> false, () -> true, library::get)
            .onFramelessThread();
    String[] argv = {"/bin/true", "-x"};
    d.process(argv.clone(), null, null); // judged and cached once
    long walked = s.contextWalks();
    for (int i = 0; i < 50; i++) {
      d.process(argv.clone(), null, null);
    }
    assertEquals(walked, s.contextWalks(), "a zero count: no spawn walks");

    library.set(true); // e.g. Jackson's deserializers loaded: their frames are not counted
    for (int i = 0; i < 10; i++) {
      d.process(argv.clone(), null, null);
    }
    assertTrue(s.contextWalks() >= walked + 10, "every spawn walks once a library could hide");

    long before = s.contextWalks();
    InetAddress peer = InetAddress.getByName("10.1.2.7");
    for (int i = 0; i < 10; i++) {
      d.connect(peer, 443, null); // connect rules read JNDI only, marked in libraries too
    }
    assertEquals(before, s.contextWalks(), "a connect does not walk for a library's frames");
    assertEquals(0, s.blocked());
  }

  @Test
  void anUntrustedCountMakesEveryCallWalk() throws Exception {
    ProtectionState s = block();
    EntryDecisions d =
        new EntryDecisions(s, recorder("").candidates(), () -> false, () -> false, () -> false)
            .onFramelessThread(); // a counted class could not be woven: a zero proves nothing
    InetAddress peer = InetAddress.getByName("10.1.2.9");
    for (int i = 0; i < 10; i++) {
      d.connect(peer, 8443, null);
    }
    assertTrue(s.contextWalks() >= 10, "every connect walks: " + s.contextWalks());
  }
}
