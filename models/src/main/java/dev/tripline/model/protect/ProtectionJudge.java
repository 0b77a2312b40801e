package dev.tripline.model.protect;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.judge.KnownBadRules.StackReads;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides, at the entry of a hooked call, whether protection refuses it. Thread-safe, never throws.
 */
public interface ProtectionJudge {
  /**
   * The refusal block mode would apply to this call, or null when it may go ahead. The mode is not
   * applied here: the agent turns a refusal into BLOCKED (block) or WOULD_BLOCK (dry-run). {@code
   * candidate} carries the kind, the target (file real_path when known, network, process), the call
   * site and the context frames, as the agent would report the event.
   */
  @Nullable Refusal judge(Event candidate);

  /**
   * What, beside {@code candidate}'s target, this judge's answer on it may depend on: the context
   * categories on the stack, or the call site too. A cache of verdicts per target (the agent's)
   * reuses a verdict only for calls that agree on what this names. Conservative by default: the
   * whole call site.
   */
  default StackReads reads(Event candidate) {
    return StackReads.CALL_SITE;
  }

  /**
   * True when this judge's answer on a call of {@code kind} made with none of {@code categories}
   * among the context frames on its stack is its answer for a stack without any context frame (no
   * rule it applies reads anything else of the stack for that kind): the agent then skips the stack
   * walk of a call that provably has no such frame. Conservative by default: false.
   */
  default boolean contextsNeedAnyOf(EventKind kind, Set<String> categories) {
    return false;
  }

  /** A judge that never refuses (no policy, mode off, failed open). */
  ProtectionJudge ALLOW_ALL =
      new ProtectionJudge() {
        @Override
        public @Nullable Refusal judge(Event c) {
          return null;
        }

        @Override
        public StackReads reads(Event c) {
          return StackReads.NONE;
        }

        @Override
        public boolean contextsNeedAnyOf(EventKind kind, Set<String> categories) {
          return true;
        }
      };

  /**
   * Why a call is refused: the rule's name (known-bad rule id, or "new-behaviour:<KIND>") and a
   * short reason.
   */
  final class Refusal {
    public final String rule; // e.g. "jndi-outbound" or "new-behaviour:NET_CONNECT"
    public final boolean
        knownBad; // a known-bad rule (every state) vs new behaviour outside the profile
    // (MONITORING)
    public final String reason; // one line, for the exception message and the alert

    public Refusal(String rule, boolean knownBad, String reason) {
      this.rule = rule;
      this.knownBad = knownBad;
      this.reason = reason;
    }
  }
}
