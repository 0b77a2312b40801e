package dev.tripline.agent.protect;

import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.health.ProtectionReport;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.protect.PolicyReader;
import dev.tripline.model.protect.ProtectionJudge;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The protection this JVM enforces now. The agent's policy thread offers every record of the
 * service's policy topic to the one {@link PolicyReader} (which refuses and counts what is not a
 * valid, newer policy for this service) and calls {@link #refresh} after every poll; the
 * application's threads read {@link #current()} (one volatile read).
 *
 * <p>Fails open: no policy, a policy older than its allowed age, a topic the agent cannot read, the
 * operator's brake, or a judge that cannot be built — protection is off, with the reason, and
 * monitoring goes on. Only the policy thread writes; nothing here blocks an application thread.
 */
public final class ProtectionState implements ProtectionReport {
  /** What is enforced: the mode, the judge, and the generation verdicts are cached under. */
  public static final class InForce {
    private static final List<EventKind> GUARDED =
        List.of(
            EventKind.NET_CONNECT,
            EventKind.PROCESS_SPAWN,
            EventKind.FILE_READ,
            EventKind.FILE_WRITE,
            EventKind.FILE_DELETE,
            EventKind.FILE_RENAME);

    final ProtectionMode mode;
    final ProtectionJudge judge;
    final long version;
    final int generation;
    final boolean failedOpen;
    final String reason;

    /**
     * The kinds the judge refuses under context frames only with a frame of a {@link
     * ContextFrames#COUNTED} category on the stack: such a call on a thread whose context frame
     * count is zero is judged as one without context frames, with no stack walk.
     */
    final Set<EventKind> countable = EnumSet.noneOf(EventKind.class);

    /**
     * Of those, the kinds whose rules read only {@link ContextFrames#MARKED} categories (connects:
     * JNDI), which the count covers in libraries too: no library class makes them walk.
     */
    final Set<EventKind> markedOnly = EnumSet.noneOf(EventKind.class);

    InForce(
        ProtectionMode mode,
        ProtectionJudge judge,
        long version,
        int generation,
        boolean failedOpen,
        String reason) {
      this.mode = mode;
      this.judge = judge;
      this.version = version;
      this.generation = generation;
      this.failedOpen = failedOpen;
      this.reason = reason;
      for (EventKind kind : GUARDED) {
        if (judge.contextsNeedAnyOf(kind, ContextFrames.COUNTED)) {
          countable.add(kind);
        }
        if (judge.contextsNeedAnyOf(kind, ContextFrames.MARKED)) {
          markedOnly.add(kind);
        }
      }
    }

    public ProtectionMode mode() {
      return mode;
    }

    public boolean failedOpen() {
      return failedOpen;
    }

    public String reason() {
      return reason;
    }

    public long version() {
      return version;
    }

    boolean off() {
      return mode == ProtectionMode.PROTECTION_OFF;
    }

    boolean block() {
      return mode == ProtectionMode.BLOCK;
    }
  }

  private final PolicyReader reader;
  private final boolean braked;
  private final long maxAgeMs;
  private final Function<ProtectionPolicy, ProtectionJudge> judges;
  private final Consumer<Boolean> guardSwitch;

  private volatile InForce current;

  /** Why the topic cannot be read, or null while it can. */
  private volatile String unreadable = "";

  final LongAdder blocked = new LongAdder();
  final LongAdder wouldBlock = new LongAdder();
  final LongAdder decisionErrors = new LongAdder();
  final LongAdder verdictsDropped = new LongAdder();

  /** Stack walks for context categories at a guarded call (the connects' fast path skips them). */
  final LongAdder contextWalks = new LongAdder();

  private final LongAdder applied = new LongAdder();

  /** The last refusal of a policy record, one line (for the heartbeat's reason when off). */
  private volatile String lastRefusal = "";

  /**
   * @param braked the operator's brake ({@code -Dtripline.protect=off}): nothing is ever refused
   * @param maxAgeMs the agent's limit on a policy's age, 0: the policy's own hint
   * @param judges the judge of a policy (models' {@code ProtectionJudges.of})
   * @param guardSwitch switches the guarded hooks' entry decision on or off (the bridge's gate)
   */
  public ProtectionState(
      String service,
      boolean braked,
      long maxAgeMs,
      Function<ProtectionPolicy, ProtectionJudge> judges,
      Consumer<Boolean> guardSwitch) {
    this.reader = new PolicyReader(service);
    this.braked = braked;
    this.maxAgeMs = maxAgeMs;
    this.judges = judges;
    this.guardSwitch = guardSwitch;
    this.current =
        new InForce(
            ProtectionMode.PROTECTION_OFF,
            ProtectionJudge.ALLOW_ALL,
            0,
            0,
            false,
            braked ? brakeReason() : "no policy received yet");
  }

  /** What is enforced now: one volatile read. */
  public InForce current() {
    return current;
  }

  /** Offers one record value of the policy topic; returns what the reader did with it. */
  public PolicyReader.Outcome offer(byte[] value) {
    PolicyReader.Outcome o = reader.offer(value);
    if (o.applied()) {
      applied.increment();
    } else {
      lastRefusal = "policy record refused: " + o.refusal() + " (" + o.detail() + ")";
    }
    return o;
  }

  /** The policy topic cannot be read ({@code why}), or can again (empty): fails open meanwhile. */
  public void unreadable(String why) {
    unreadable = why;
  }

  /**
   * Recomputes the mode in force at {@code nowMs}: a new policy, a policy grown too old, a topic
   * that became unreadable. Called by the policy thread after every poll.
   */
  public void refresh(long nowMs) {
    InForce was = current;
    PolicyReader.Effective e = reader.effective(nowMs, maxAgeMs);
    ProtectionPolicy p = e.policy();
    ProtectionMode wanted = e.mode();
    String why = unreadable;
    ProtectionMode mode;
    boolean failedOpen;
    String reason;
    ProtectionJudge judge = ProtectionJudge.ALLOW_ALL;
    if (braked) {
      mode = ProtectionMode.PROTECTION_OFF;
      failedOpen = false;
      reason = brakeReason();
    } else if (!why.isEmpty()) {
      mode = ProtectionMode.PROTECTION_OFF;
      failedOpen = true;
      reason = "cannot read the policy topic: " + why;
    } else if (!reader.held().isPresent()) {
      mode = ProtectionMode.PROTECTION_OFF;
      failedOpen = false;
      reason = lastRefusal.isEmpty() ? "no policy received" : "no policy; " + lastRefusal;
    } else if (wanted == ProtectionMode.PROTECTION_OFF) {
      mode = ProtectionMode.PROTECTION_OFF;
      failedOpen = p.getMode() != ProtectionMode.PROTECTION_OFF; // too old
      reason = e.reason().isEmpty() ? "policy version " + p.getVersion() + ": off" : e.reason();
    } else {
      try {
        judge = judges.apply(p);
        mode = wanted;
        failedOpen = false;
        reason = "policy version " + p.getVersion();
      } catch (RuntimeException | LinkageError ex) {
        decisionErrors.increment();
        mode = ProtectionMode.PROTECTION_OFF;
        failedOpen = true;
        reason = "cannot build the judge of policy version " + p.getVersion() + ": " + ex;
      }
    }
    long version = reader.held().isPresent() ? p.getVersion() : 0;
    if (was.mode == mode
        && was.version == version
        && was.failedOpen == failedOpen
        && was.reason.equals(reason)) {
      return;
    }
    boolean rejudge = was.mode != mode || was.version != version;
    InForce next =
        new InForce(
            mode,
            rejudge ? judge : was.judge,
            version,
            rejudge ? was.generation + 1 : was.generation,
            failedOpen,
            reason);
    current = next;
    guardSwitch.accept(mode != ProtectionMode.PROTECTION_OFF);
    if (was.mode != mode) {
      // One line per change of the mode in force, never per poll. Off for a reason that asked
      // nothing (no policy, no policy source) stays silent: protection is opt-in, and every JVM
      // without a policy would otherwise print it; the heartbeat carries the reason either way, and
      // an unreadable topic is said once by the policy thread.
      System.err.println(
          "[tripline] protect: "
              + modeText(mode)
              + " in force"
              + (failedOpen ? ", failed open" : "")
              + " ("
              + reason
              + ")");
    }
  }

  /** A decision that threw: counted, the call went ahead (fail open). */
  public void decisionFailed() {
    decisionErrors.increment();
  }

  private static String modeText(ProtectionMode mode) {
    return mode == ProtectionMode.BLOCK
        ? "block"
        : mode == ProtectionMode.DRY_RUN ? "dry-run" : "off";
  }

  public boolean braked() {
    return braked;
  }

  public PolicyReader reader() {
    return reader;
  }

  private static String brakeReason() {
    return "braked locally (tripline.protect=off): nothing is refused, monitoring goes on";
  }

  @Override
  public void addTo(AgentHealth.Builder health) {
    InForce f = current;
    health
        .setProtectionMode(f.mode)
        .setProtectionFailedOpen(f.failedOpen)
        .setProtectionReason(f.reason)
        .setProtectionPolicyVersion(f.version)
        .putProtectionCounts("blocked", blocked.sum())
        .putProtectionCounts("would_block", wouldBlock.sum())
        .putProtectionCounts("policy_refused", reader.refusedTotal())
        .putProtectionCounts("policy_applied", applied.sum())
        .putProtectionCounts("decision_errors", decisionErrors.sum())
        .putProtectionCounts("verdicts_dropped", verdictsDropped.sum())
        .putProtectionCounts("context_walks", contextWalks.sum());
    for (PolicyReader.Refusal r : PolicyReader.Refusal.values()) {
      long n = reader.refused(r);
      if (n > 0) {
        health.putProtectionCounts(
            "policy_refused." + r.name().toLowerCase(java.util.Locale.ROOT), n);
      }
    }
  }

  @Override
  public int modeNumber() {
    return current.mode.getNumber();
  }

  @Override
  public int failedOpen() {
    return current.failedOpen ? 1 : 0;
  }

  @Override
  public long blocked() {
    return blocked.sum();
  }

  @Override
  public long wouldBlock() {
    return wouldBlock.sum();
  }

  @Override
  public long contextWalks() {
    return contextWalks.sum();
  }

  @Override
  public long policyRefused() {
    return reader.refusedTotal();
  }
}
