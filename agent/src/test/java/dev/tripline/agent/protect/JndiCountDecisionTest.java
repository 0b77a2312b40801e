package dev.tripline.agent.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.ProtectionJudges;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The connect decision with a JNDI frame count (issue 23): a count of zero judges without a stack
 * walk under the key a walked stack without jndi frames gets too (one verdict for both); a count
 * above zero walks and still refuses a real JNDI frame; a {@code context.frames} entry naming a
 * counted category makes the count useless, so every connect walks.
 */
class JndiCountDecisionTest {
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
    ProtectionState s = new ProtectionState("shop", false, 0, ProtectionJudges::of, on -> {});
    s.offer(
        ProtectionPolicy.newBuilder()
            .setSchemaVersion(Schema.VERSION)
            .setService("shop")
            .setMode(ProtectionMode.BLOCK)
            .setVersion(1)
            .setIssuedAtMs(System.currentTimeMillis())
            .build()
            .toByteArray());
    s.refresh(System.currentTimeMillis());
    assertTrue(s.current().connectsNeedJndi, "the built-in connect rules need a jndi frame");
    return s;
  }

  @Test
  void aZeroCountJudgesWithoutAWalkAndAgreesWithAWalkedStack() throws Exception {
    ProtectionState s = block();
    AtomicInteger count = new AtomicInteger(1);
    EntryDecisions d = new EntryDecisions(s, recorder("").candidates(), () -> false, count::get);
    InetAddress peer = InetAddress.getByName("10.1.2.3");

    // walked (count 1), only reflection on the stack: cached under the key of "no jndi frame"
    Method connect =
        EntryDecisions.class.getMethod("connect", InetAddress.class, int.class, Throwable.class);
    connect.invoke(d, peer, 1389, null);
    long walked = s.contextWalks();
    assertTrue(walked >= 1);

    count.set(0);
    for (int i = 0; i < 100; i++) {
      d.connect(peer, 1389, null); // the walked verdict serves: no walk, no new judgement
    }
    assertEquals(walked, s.contextWalks(), "no walk at a zero count");
    assertEquals(0, s.blocked());

    count.set(1); // a real JNDI frame on the stack: walked, and refused
    RefusedCall refused =
        assertThrows(
            RefusedCall.class, () -> VerdictCacheTest.lookup(() -> d.connect(peer, 1389, null)));
    assertTrue(refused.rule.startsWith("jndi-"), refused.rule);
    assertTrue(s.contextWalks() > walked);

    AgentHealth.Builder h = AgentHealth.newBuilder();
    s.addTo(h);
    assertEquals(s.contextWalks(), h.getProtectionCountsMap().get("context_walks"));
  }

  @Test
  void userFramesInAJndiCategoryMakeEveryConnectWalk() throws Exception {
    ProtectionState s = block();
    EventRecorder r = recorder("jndi=com.acme.naming.");
    assertFalse(r.candidates().jndiCountable());
    EntryDecisions d = new EntryDecisions(s, r.candidates(), () -> false, () -> 0);
    InetAddress peer = InetAddress.getByName("10.1.2.5");
    for (int i = 0; i < 10; i++) {
      d.connect(peer, 8080, null);
    }
    assertTrue(s.contextWalks() >= 10, "the count is not trusted: every connect walks");
  }
}
