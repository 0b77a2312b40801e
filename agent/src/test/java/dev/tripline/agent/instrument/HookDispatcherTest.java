package dev.tripline.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.agent.record.Occurrence;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.model.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher the bridge holds: hook numbers routed through the real hook table, no JVM fork.
 */
class HookDispatcherTest {
  private final AgentStats stats = new AgentStats();
  private final AgentConfig config = config();
  private final Hooks hooks = new Hooks(config);
  private final EventRecorder recorder = new EventRecorder(config, stats, () -> 42L);
  private final HookDispatcher dispatcher = new HookDispatcher(hooks, recorder, stats);
  private final int lookup = hooks.idOf("dns.getAllByName");

  private static AgentConfig config() {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", "dispatcher-test");
    p.setProperty("tripline.sink", "none");
    p.setProperty("tripline.capture", "dns");
    return AgentConfig.load(p, Map.of());
  }

  private List<Occurrence> firsts() {
    List<Occurrence> out = new ArrayList<>();
    recorder.fresh().drainTo(out);
    return out;
  }

  private long repeats() {
    long n = 0;
    for (Occurrence o : recorder.occurrences()) {
      Event e = o.drain();
      if (e != null) n += e.getCount();
    }
    return n;
  }

  @Test
  void aHookNumberReachesItsGroupAndTheRecorder() {
    assertTrue(lookup >= 0);
    dispatcher.observe(lookup, "api.example.com", null, 0, null);
    dispatcher.observe(lookup, "api.example.com", null, 0, null);
    assertEquals(2, stats.seenCount());
    List<Occurrence> firsts = firsts();
    assertEquals(1, firsts.size());
    assertEquals("api.example.com", firsts.get(0).template().getDns().getQuery());
    assertEquals(1, repeats());
    assertThrows(
        IllegalArgumentException.class, () -> dispatcher.observe(9999, "x", null, 0, null));
  }

  /**
   * A library's request scope is taken only with the token its woven code passes; the plain 1/0 any
   * caller of the public bridge could pass is refused, counted and reported naming the caller.
   */
  @Test
  void aRequestScopeWithoutItsWovenTokenIsRefusedAndNamesItsCaller() {
    int servlet = hooks.idOf("request.servlet");
    Hook h = hooks.hook(servlet);
    Object request = new Object();
    dispatcher.observe(servlet, request, null, 1, null);
    dispatcher.observe(servlet, request, null, 0, null);
    assertEquals(2, stats.requestReportsRefusedCount());
    assertEquals(0, stats.requestReportsCount());
    String finding = String.join("\n", stats.tamper().latest());
    assertTrue(finding.contains("refused request scope request.servlet from "), finding);
    dispatcher.observe(servlet, request, null, h.entryToken, null);
    dispatcher.observe(servlet, request, null, h.exitToken, null);
    assertEquals(2, stats.requestReportsCount());
    assertEquals(2, stats.requestReportsRefusedCount());
    assertEquals(0, stats.seenCount(), "a scope is context, never an event");
  }

  @Test
  void switchedOffByOtherCodeItRecordsNothingUntilHealedButTamperIsAlwaysHeard() throws Exception {
    // what a payload with Unsafe does: the flag flipped behind the agent's back
    java.lang.reflect.Field off = HookDispatcher.class.getDeclaredField("off");
    off.setAccessible(true);
    off.setBoolean(dispatcher, true);
    assertFalse(dispatcher.exiting());
    dispatcher.observe(lookup, "api.example.com", null, 0, null);
    assertEquals(0, stats.seenCount());
    dispatcher.observe(TriplineBridge.TAMPER, "seal", "evil.Payload", 0, null);
    assertEquals(1, stats.tamper().count());
    assertTrue(dispatcher.heal(), "it was off");
    assertFalse(dispatcher.heal(), "and is on now");
    dispatcher.observe(lookup, "api.example.com", null, 0, null);
    assertEquals(1, stats.seenCount());
    assertEquals(1, firsts().size());
  }

  @Test
  void theAgentsOwnSwitchOffAtExitIsNeverHealedNorATamperCase() {
    dispatcher.switchOff(); // the JVM exits
    assertTrue(dispatcher.exiting(), "the pipeline skips the canary from now on");
    assertFalse(dispatcher.heal(), "nothing to heal: the agent switched itself off");
    dispatcher.observe(lookup, "api.example.com", null, 0, null);
    assertEquals(0, stats.seenCount(), "still off after heal()");
    assertEquals(0, stats.tamper().count());
  }

  @Test
  void replayRecordsEachEarlyObservationWithTheRepeatsTheBufferFolded() {
    EarlyBuffer early = new EarlyBuffer();
    for (int i = 0; i < 3; i++) early.observe(lookup, "early.example.com", null, 0, null);
    early.observe(TriplineBridge.TAMPER, "markAgentThread", "evil.Payload", 0, null);
    List<EarlyBuffer.Observation> seen = early.drain(0);
    assertEquals(2, seen.size(), "three lookups folded into one observation, and the tamper");
    dispatcher.switchOff(); // the JVM exits: what happened while the agent watched still counts
    dispatcher.replay(seen);
    assertEquals(3, stats.seenCount());
    assertEquals(1, firsts().size());
    assertEquals(2, repeats());
    assertEquals(1, stats.tamper().count());
  }
}
