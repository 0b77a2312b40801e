package dev.tripline.model.protect;

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
  @org.jspecify.annotations.Nullable
  Refusal judge(dev.tripline.model.Event candidate);

  /** A judge that never refuses (no policy, mode off, failed open). */
  ProtectionJudge ALLOW_ALL = candidate -> null;

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
