package dev.tripline.agent.instrument;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.protect.EntryDecisions;
import dev.tripline.agent.protect.RefusedCall;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.agent.record.Observations;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.bootstrap.TriplineDispatcher;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the bridge calls once the agent is live: routes a hook number to its group, which decodes
 * the hook's arguments into a typed {@link Observations} call on the recorder. Runs on the
 * application thread (and, for the replay of what the early buffer saw, on the pipeline thread).
 */
public final class HookDispatcher implements TriplineDispatcher {
  private final Hooks hooks;
  private final EventRecorder recorder;
  private final Observations to;
  private final AgentStats stats;

  /** Protect mode's decisions, once the agent's protection exists (the gate asks only then). */
  private volatile @Nullable EntryDecisions decisions;

  /** The same decisions on a thread the gate's count shows without context frames. */
  private volatile @Nullable EntryDecisions frameless;

  /** Counts a decision that failed (the call went ahead: fail open). */
  private volatile @Nullable Runnable decisionFailed;

  /** Set when the agent switches itself off (no sink, JVM exit): nothing is recorded any more. */
  private volatile boolean off;

  /** Set by the agent's own {@link #switchOff} (JVM exit): never healed, no canary expected. */
  private volatile boolean exiting;

  public HookDispatcher(Hooks hooks, EventRecorder recorder, AgentStats stats) {
    this.hooks = hooks;
    this.recorder = recorder;
    this.to = recorder.observations();
    this.stats = stats;
  }

  @Override
  public void observe(
      int hook, @Nullable Object a, @Nullable Object b, int n, @Nullable Throwable error) {
    if (hook == TriplineBridge.TAMPER) {
      stats
          .tamper()
          .found("refused " + a + " from " + b + " on thread " + Thread.currentThread().getName());
      return;
    }
    if (off) {
      return;
    }
    if (hooks.provesScope(hook)) {
      int entry = hooks.scope(hook, n);
      if (entry < 0) {
        refuseScope(hook);
        return;
      }
      n = entry; // 1 at the scope's entry, 0 at its exit, as the group reads it
    }
    dispatch(hook, a, b, n, error);
  }

  /**
   * A request's scope opened or closed through the bridge's public entry without the token only the
   * hooked server method's woven code holds: refused, counted and reported as a tamper finding
   * naming the code that called the bridge (the one stack walk, on this rare path only).
   */
  private void refuseScope(int hook) {
    stats.requestReportRefused();
    stats
        .tamper()
        .found(
            "refused request scope "
                + hooks.name(hook)
                + " from "
                + BridgeCallers.caller()
                + " on thread "
                + Thread.currentThread().getName());
  }

  /** Connects protect mode's decisions: from now on guarded hooks are judged at their entry. */
  public void protection(EntryDecisions decisions, Runnable decisionFailed) {
    this.decisionFailed = decisionFailed;
    this.frameless = decisions.onFramelessThread();
    this.decisions = decisions;
  }

  /**
   * A guarded hook's entry, while protection is on (the gate asks only then): the group decodes the
   * arguments into {@link EntryDecisions}, which throws {@link RefusedCall} in block; that becomes
   * the exception the hooked method declares ({@link Refusal}). Anything else thrown is counted and
   * the call goes ahead (fail open).
   */
  @Override
  public @Nullable Throwable decide(int hook, @Nullable Object a, @Nullable Object b, int n) {
    return decide(hook, a, b, n, true);
  }

  /**
   * As above, told by the gate whether a counted context frame may be on the thread's stack: when
   * none can be, the decisions that read context frames take "none" without walking the stack.
   */
  @Override
  public @Nullable Throwable decide(
      int hook, @Nullable Object a, @Nullable Object b, int n, boolean contextFrames) {
    EntryDecisions d = contextFrames ? decisions : frameless;
    if (d == null || off) {
      return null;
    }
    try {
      hooks.decide(hook, a, b, n, d);
      return null;
    } catch (RefusedCall r) {
      Refusal how = hooks.refusal(hook);
      return how == null ? null : how.exception(r.rule, r.target);
    } catch (Throwable e) {
      Runnable failed = decisionFailed;
      if (failed != null) {
        failed.run();
      }
      return null;
    }
  }

  private void dispatch(
      int hook, @Nullable Object a, @Nullable Object b, int n, @Nullable Throwable error) {
    switch (hooks.context(hook)) {
      case NONE:
        stats.seen();
        break;
      case REQUEST:
        stats.requestReport(); // a request's scope: context, not an event
        break;
      case TASK:
        break; // a task handed over: context, too many to count on a busy pool
    }
    hooks.observe(hook, a, b, n, error, to);
  }

  /** From now on nothing is recorded (the agent is off, or the JVM exits). */
  public void switchOff() {
    exiting = true;
    off = true;
  }

  /** Whether the agent itself switched recording off (JVM exit, or the agent gave up). */
  public boolean exiting() {
    return exiting;
  }

  /**
   * Called by the running pipeline after a failed canary: the agent never switches its dispatcher
   * off while it runs, so an "off" found now was set by someone else. Returns whether it was.
   */
  public boolean heal() {
    if (exiting) {
      return false; // the agent's own switch-off stays
    }
    boolean wasOff = off;
    off = false;
    return wasOff;
  }

  /**
   * Replays, on the pipeline thread, what the hooks saw before the recorder existed: each as if
   * recorded live, with its own thread, stack and time.
   */
  public void replay(List<EarlyBuffer.Observation> early) {
    recorder.replay(
        early,
        o -> {
          // recorded even once the JVM exits (switched off): it happened while the agent watched
          if (o.hook == TriplineBridge.TAMPER) {
            observe(o.hook, o.a, o.b, o.n, o.error);
          } else if (!hooks.provesScope(o.hook)) { // a scope: never replayed (nor kept early)
            for (int r = o.repeats(); r >= 0; r--) { // repeats the buffer folded: as many hits
              dispatch(o.hook, o.a, o.b, o.n, o.error);
            }
          }
        });
  }
}
