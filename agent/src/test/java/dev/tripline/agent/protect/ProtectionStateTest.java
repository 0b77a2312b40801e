package dev.tripline.agent.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.agent.record.Occurrence;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import dev.tripline.model.judge.KnownBadRules.StackReads;
import dev.tripline.model.protect.PolicyReader;
import dev.tripline.model.protect.ProtectionJudge;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Protect mode's state and entry decisions in this JVM, with a real recorder and a judge written
 * here (the shared judgement is tested in models): what is applied, what is refused and counted,
 * what fails open, and what a decision reports.
 */
class ProtectionStateTest {
  private static final String SERVICE = "shop";
  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private final AtomicBoolean guarding = new AtomicBoolean();
  private final AtomicInteger judged = new AtomicInteger();

  /** Refuses connects to port 1389 and reads of files named "secret" (a known-bad stand-in). */
  private final ProtectionJudge judge =
      new ProtectionJudge() {
        @Override
        public ProtectionJudge.@Nullable Refusal judge(Event candidate) {
          judged.incrementAndGet();
          if (candidate.getKind() == EventKind.NET_CONNECT
              && candidate.getNetwork().getPort() == 1389) {
            return new ProtectionJudge.Refusal("jndi-outbound", true, "connect under JNDI");
          }
          if (candidate.getKind() == EventKind.FILE_READ
              && candidate.getFile().getPath().endsWith("/secret")) {
            return new ProtectionJudge.Refusal("credential-file", true, "a credential file");
          }
          if (candidate.getKind() == EventKind.PROCESS_SPAWN
              && candidate.getProcess().getExecutable().endsWith("/sh")) {
            return new ProtectionJudge.Refusal("shell", true, "a shell");
          }
          return null;
        }

        /** The stand-in reads the target alone: its verdicts hold for every call. */
        @Override
        public StackReads reads(Event candidate) {
          return StackReads.NONE;
        }
      };

  private ProtectionState state(boolean braked, long maxAge) {
    return new ProtectionState(SERVICE, braked, maxAge, p -> judge, guarding::set);
  }

  private ProtectionPolicy.Builder policy(ProtectionMode mode, long version) {
    return ProtectionPolicy.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setService(SERVICE)
        .setMode(mode)
        .addKinds(EventKind.NET_CONNECT)
        .setVersion(version)
        .setIssuedAtMs(now.get())
        .setIssuedBy("test");
  }

  private EventRecorder recorder() {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", SERVICE);
    p.setProperty("tripline.sink", "none");
    return new EventRecorder(AgentConfig.load(p, Map.of()), new AgentStats(), now::get);
  }

  private static List<Event> firsts(EventRecorder r) {
    List<Occurrence> taken = new ArrayList<>();
    r.fresh().drainTo(taken);
    List<Event> out = new ArrayList<>();
    for (Occurrence o : taken) out.add(o.template());
    return out;
  }

  @Test
  void noPolicyIsOffAndAValidOneIsAppliedWithTheGuardSwitchedOn() {
    ProtectionState s = state(false, 0);
    s.refresh(now.get());
    assertEquals(ProtectionMode.PROTECTION_OFF, s.current().mode());
    assertFalse(s.current().failedOpen(), "no policy ever set is not a failure");
    assertFalse(guarding.get());

    assertTrue(s.offer(policy(ProtectionMode.BLOCK, 1).build().toByteArray()).applied());
    s.refresh(now.get());
    assertEquals(ProtectionMode.BLOCK, s.current().mode());
    assertEquals(1, s.current().version());
    assertTrue(guarding.get(), "the gate asks only while protection is on");

    assertTrue(s.offer(policy(ProtectionMode.PROTECTION_OFF, 2).build().toByteArray()).applied());
    s.refresh(now.get());
    assertEquals(ProtectionMode.PROTECTION_OFF, s.current().mode());
    assertFalse(guarding.get());
  }

  @Test
  void badRecordsAreRefusedCountedAndNeverApplied() {
    ProtectionState s = state(false, 0);
    s.offer(policy(ProtectionMode.DRY_RUN, 5).build().toByteArray());
    s.refresh(now.get());
    byte[] unknownMode = policy(ProtectionMode.BLOCK, 6).setModeValue(7).build().toByteArray();
    byte[] otherService = policy(ProtectionMode.BLOCK, 7).setService("shop2").build().toByteArray();
    byte[] corrupt = {(byte) 0xff, 0x01, 0x02, 0x03};
    byte[] oversized = new byte[PolicyReader.MAX_RECORD_BYTES + 1];
    byte[] rollback = policy(ProtectionMode.BLOCK, 4).build().toByteArray();
    for (byte[] bad :
        new byte[][] {unknownMode, otherService, corrupt, oversized, rollback, null}) {
      assertFalse(s.offer(bad).applied());
      s.refresh(now.get());
      assertEquals(ProtectionMode.DRY_RUN, s.current().mode(), "the policy held stays in force");
    }
    assertEquals(6, s.policyRefused());
    AgentHealth.Builder h = AgentHealth.newBuilder();
    s.addTo(h);
    AgentHealth health = h.build();
    assertEquals(6, health.getProtectionCountsOrThrow("policy_refused"));
    assertEquals(1, health.getProtectionCountsOrThrow("policy_refused.unknown_mode"));
    assertEquals(1, health.getProtectionCountsOrThrow("policy_refused.wrong_service"));
    assertEquals(1, health.getProtectionCountsOrThrow("policy_refused.corrupt"));
    assertEquals(1, health.getProtectionCountsOrThrow("policy_refused.oversized"));
    assertEquals(1, health.getProtectionCountsOrThrow("policy_refused.rollback"));
    assertEquals(ProtectionMode.DRY_RUN, health.getProtectionMode());
    assertEquals(5, health.getProtectionPolicyVersion());
  }

  @Test
  void aPolicyTooOldOrAnUnreadableTopicFailsOpenWithTheReason() {
    ProtectionState s = state(false, 60_000);
    s.offer(policy(ProtectionMode.BLOCK, 1).build().toByteArray());
    s.refresh(now.get());
    assertEquals(ProtectionMode.BLOCK, s.current().mode());
    s.refresh(now.get() + 60_001);
    assertEquals(ProtectionMode.PROTECTION_OFF, s.current().mode());
    assertTrue(s.current().failedOpen());
    assertTrue(s.current().reason().contains("ms old"), s.current().reason());
    assertFalse(guarding.get());

    s.refresh(now.get());
    assertEquals(ProtectionMode.BLOCK, s.current().mode());
    s.unreadable("not allowed to read tripline.policy.shop (TopicAuthorizationException)");
    s.refresh(now.get());
    assertEquals(ProtectionMode.PROTECTION_OFF, s.current().mode());
    assertTrue(s.current().failedOpen());
    assertTrue(s.current().reason().startsWith("cannot read the policy topic: not allowed"));
  }

  @Test
  void theBrakeRefusesNothingWhateverThePolicySays() throws Exception {
    ProtectionState s = state(true, 0);
    s.offer(policy(ProtectionMode.BLOCK, 1).build().toByteArray());
    s.refresh(now.get());
    assertEquals(ProtectionMode.PROTECTION_OFF, s.current().mode());
    assertFalse(s.current().failedOpen());
    assertTrue(s.current().reason().contains("tripline.protect=off"));
    assertFalse(guarding.get());
    EventRecorder r = recorder();
    EntryDecisions d = new EntryDecisions(s, r.candidates(), () -> false);
    d.connect(InetAddress.getByName("127.0.0.1"), 1389, null); // no throw
    assertEquals(0, judged.get());
    assertTrue(firsts(r).isEmpty());
  }

  @Test
  void blockRefusesAtOnceReportsOnceAndRepeatsCostNoNewJudgement() throws Exception {
    ProtectionState s = state(false, 0);
    s.offer(policy(ProtectionMode.BLOCK, 1).build().toByteArray());
    s.refresh(now.get());
    EventRecorder r = recorder();
    EntryDecisions d = new EntryDecisions(s, r.candidates(), () -> false);
    InetAddress local = InetAddress.getByName("127.0.0.1");

    RefusedCall refused = assertThrows(RefusedCall.class, () -> d.connect(local, 1389, null));
    assertEquals("jndi-outbound", refused.rule);
    assertEquals("127.0.0.1:1389", refused.target);
    assertThrows(RefusedCall.class, () -> d.connect(local, 1389, null));
    d.connect(local, 5432, null); // allowed
    d.connect(local, 5432, null);
    assertEquals(2, judged.get(), "one judgement per target, cached after");
    assertEquals(2, s.blocked());

    List<Event> sent = firsts(r);
    assertEquals(1, sent.size(), "a refused target is reported once: " + sent);
    Event e = sent.get(0);
    assertEquals(Disposition.BLOCKED, e.getDisposition());
    assertEquals("jndi-outbound", e.getProtectionRule());
    assertEquals(EventKind.NET_CONNECT, e.getKind());
    assertEquals(1389, e.getNetwork().getPort());
    assertFalse(e.getSuccess());
  }

  @Test
  void aRepeatedSpawnIsJudgedOnceRefusedEveryTimeAndReportedOncePerProgram() throws Exception {
    ProtectionState s = state(false, 0);
    s.offer(policy(ProtectionMode.BLOCK, 1).build().toByteArray());
    s.refresh(now.get());
    EventRecorder r = recorder();
    EntryDecisions d = new EntryDecisions(s, r.candidates(), () -> false);

    RefusedCall refused =
        assertThrows(
            RefusedCall.class, () -> d.process(new String[] {"/bin/sh", "-c", "id"}, "/tmp", null));
    assertEquals("shell", refused.rule);
    assertThrows(
        RefusedCall.class, () -> d.process(new String[] {"/bin/sh", "-c", "id"}, "/tmp", null));
    d.process(new String[] {"/usr/bin/true"}, null, null); // allowed
    d.process(new String[] {"/usr/bin/true"}, null, null);
    assertEquals(2, judged.get(), "one judgement per command line, cached after");
    assertEquals(2, s.blocked());
    List<Event> sent = firsts(r);
    assertEquals(1, sent.size(), "a refused command line is reported once: " + sent);
    assertEquals(Disposition.BLOCKED, sent.get(0).getDisposition());

    // another command line of the same program: judged and refused, not reported again
    assertThrows(
        RefusedCall.class, () -> d.process(new String[] {"/bin/sh", "-c", "whoami"}, "/tmp", null));
    assertEquals(3, judged.get());
    assertEquals(List.of(), firsts(r), "once per rule and program");

    // the command line spawned last is compared by content, never by the caller's array
    String[] argv = {"/usr/bin/true"};
    d.process(argv, null, null);
    assertEquals(3, judged.get(), "the same command line: cached");
    argv[0] = "/bin/sh"; // the caller's array changed after the call: another command line
    assertThrows(RefusedCall.class, () -> d.process(argv, null, null));
    assertEquals(4, judged.get());
    assertThrows(RefusedCall.class, () -> d.process(argv, "/var", null));
    assertEquals(5, judged.get(), "another directory: another command line");
    d.process(new String[] {"/usr/bin/true"}, null, null);
    assertEquals(5, judged.get(), "a command line judged before: from the cache");

    // the key keeps arguments and the directory apart, and a huge command line is judged afresh
    assertFalse(
        EntryDecisions.spawnKey(new String[] {"a b"}, null)
            .equals(EntryDecisions.spawnKey(new String[] {"a", "b"}, null)));
    assertFalse(
        EntryDecisions.spawnKey(new String[] {"a"}, "/x")
            .equals(EntryDecisions.spawnKey(new String[] {"a", "/x"}, null)));
    assertEquals(null, EntryDecisions.spawnKey(new String[] {"x".repeat(5000)}, null));
  }

  @Test
  void dryRunRefusesNothingAndReportsWouldBlockAndANewPolicyJudgesAgain() throws Exception {
    ProtectionState s = state(false, 0);
    s.offer(policy(ProtectionMode.DRY_RUN, 1).build().toByteArray());
    s.refresh(now.get());
    EventRecorder r = recorder();
    EntryDecisions d = new EntryDecisions(s, r.candidates(), () -> false);
    InetAddress local = InetAddress.getByName("127.0.0.1");
    d.connect(local, 1389, null);
    d.connect(local, 1389, null);
    assertEquals(2, s.wouldBlock());
    List<Event> sent = firsts(r);
    assertEquals(1, sent.size());
    assertEquals(Disposition.WOULD_BLOCK, sent.get(0).getDisposition());
    assertTrue(sent.get(0).getSuccess());

    s.offer(policy(ProtectionMode.BLOCK, 2).build().toByteArray());
    s.refresh(now.get());
    assertThrows(RefusedCall.class, () -> d.connect(local, 1389, null));
    List<Event> again = firsts(r);
    assertEquals(1, again.size(), "a new policy judges and reports again");
    assertEquals(Disposition.BLOCKED, again.get(0).getDisposition());
  }

  @Test
  void aJudgeThatThrowsIsTheDispatchersToCatchAndNothingIsCached() throws Exception {
    ProtectionState s =
        new ProtectionState(
            SERVICE,
            false,
            0,
            p ->
                c -> {
                  throw new IllegalStateException("broken judge");
                },
            guarding::set);
    s.offer(policy(ProtectionMode.BLOCK, 1).build().toByteArray());
    s.refresh(now.get());
    EntryDecisions d = new EntryDecisions(s, recorder().candidates(), () -> false);
    assertThrows(
        IllegalStateException.class,
        () -> d.connect(InetAddress.getByName("127.0.0.1"), 1389, null),
        "not a RefusedCall: the dispatcher counts it and lets the call go ahead");
  }
}
