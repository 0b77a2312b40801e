package dev.tripline.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.protect.EntryDecisions;
import dev.tripline.agent.protect.PoliciesInForce;
import dev.tripline.agent.protect.ProtectionState;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.protect.ProtectionJudge;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's entry decision through the real hook table: a refusal becomes the exception the
 * hooked API declares, naming Tripline and the rule; a judge that throws lets the call go ahead,
 * counted (fail open).
 */
class EntryDecisionTest {
  private final AgentStats stats = new AgentStats();
  private final AgentConfig config = config();
  private final Hooks hooks = new Hooks(config);
  private final EventRecorder recorder = new EventRecorder(config, stats, () -> 42L);
  private final HookDispatcher dispatcher = new HookDispatcher(hooks, recorder, stats);

  private static AgentConfig config() {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", "shop");
    p.setProperty("tripline.sink", "none");
    return AgentConfig.load(p, Map.of());
  }

  private static ProtectionState block(ProtectionJudge judge) {
    return PoliciesInForce.inForce(ProtectionMode.BLOCK, judge);
  }

  private static final ProtectionJudge REFUSE_ALL =
      c -> new ProtectionJudge.Refusal("test-rule", true, "refused by the test");

  @Test
  void aRefusalIsTheExceptionTheHookedApiDeclares() throws Exception {
    ProtectionState s = block(REFUSE_ALL);
    dispatcher.protection(new EntryDecisions(s, recorder.candidates(), () -> false), () -> {});
    Throwable connect =
        dispatcher.decide(
            hooks.idOf("net.connect.Socket"),
            new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4444),
            null,
            0);
    assertInstanceOf(ConnectException.class, connect);
    assertEquals("Tripline protect mode refused this call (rule test-rule)", connect.getMessage());
    Throwable stream =
        dispatcher.decide(hooks.idOf("file.FileInputStream.open"), "/srv/x", null, 0);
    assertInstanceOf(FileNotFoundException.class, stream);
    assertTrue(stream.getMessage().startsWith("/srv/x (Tripline protect mode refused"));
    Throwable spawn =
        dispatcher.decide(
            hooks.idOf("process.start"), new String[] {"/bin/sh", "-c", "id"}, null, 0);
    assertInstanceOf(IOException.class, spawn);
    assertTrue(spawn.getMessage().startsWith("Cannot run program \"/bin/sh\": Tripline"));
    assertEquals(3, s.blocked());
    assertTrue(hooks.refusal(hooks.idOf("file.nio.implDelete")) == Refusal.FILE_NIO);
    assertInstanceOf(
        AccessDeniedException.class, Refusal.FILE_NIO.exception("test-rule", "/srv/x"));
    assertInstanceOf(
        SecurityException.class, Refusal.FILE_SECURITY.exception("test-rule", "/srv/x"));
  }

  @Test
  void nettysNativeConnectIsJudgedAtItsEntryAsItIsReportedAtItsExit() throws Exception {
    ProtectionState s = block(REFUSE_ALL);
    dispatcher.protection(new EntryDecisions(s, recorder.candidates(), () -> false), () -> {});
    int netty = hooks.idOf("netty.connect");
    boolean[] guarded = hooks.guardedLibraryIds();
    boolean[] library = hooks.libraryIds();
    assertTrue(guarded[netty], "netty.connect is a guarded library hook");
    for (int id = 0; id < guarded.length; id++) {
      assertTrue(!guarded[id] || library[id], "a guarded library id is a library hook's: " + id);
    }
    assertTrue(!guarded[hooks.idOf("net.connect.Socket")], "the JDK's connect goes by the gate");
    Throwable refused =
        dispatcher.decide(
            netty, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4444), null, 0);
    assertInstanceOf(ConnectException.class, refused);
    assertEquals("Tripline protect mode refused this call (rule test-rule)", refused.getMessage());
    // unresolved: the exit reports no peer either (Netty resolves before its native connect)
    assertNull(
        dispatcher.decide(netty, InetSocketAddress.createUnresolved("x.invalid", 1), null, 0));
    assertEquals(1, s.blocked());
  }

  @Test
  void aJudgeThatThrowsLetsTheCallGoAheadAndIsCounted() throws Exception {
    ProtectionState s =
        block(
            c -> {
              throw new IllegalStateException("broken");
            });
    dispatcher.protection(
        new EntryDecisions(s, recorder.candidates(), () -> false), s::decisionFailed);
    assertNull(
        dispatcher.decide(
            hooks.idOf("net.connect.Socket"),
            new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4444),
            null,
            0));
    assertEquals(0, s.blocked());
    dev.tripline.model.AgentHealth.Builder h = dev.tripline.model.AgentHealth.newBuilder();
    s.addTo(h);
    assertEquals(1, h.getProtectionCountsOrThrow("decision_errors"));
  }

  @Test
  void withoutProtectionConnectedNothingIsDecided() {
    assertNull(dispatcher.decide(hooks.idOf("file.FileInputStream.open"), "/srv/x", null, 0));
  }
}
