package dev.tripline.agent.protect;

import dev.tripline.model.protect.ProtectionJudge;
import org.jspecify.annotations.Nullable;

/**
 * The judge's answer for one target, under the policy of one generation, and the calls it holds
 * for: every call to the target ({@link #ANY_STACK}: the judge read nothing of the stack that could
 * change it), or only calls whose context categories on the stack are {@link #stack} (a mask,
 * {@code callsite.ContextFrames#onStack}). Verdicts of one target under other masks are chained
 * behind it ({@link #next}), newest first.
 */
final class Verdict {
  /** Holds for every call to the target. */
  static final long ANY_STACK = Long.MIN_VALUE;

  /** Holds for the call it was judged for alone: never cached. */
  static final long THIS_CALL = Long.MIN_VALUE + 1;

  /** Verdicts of one target kept under different context masks; older ones are dropped. */
  static final int MAX_STACKS = 8;

  final int generation;
  final ProtectionJudge.@Nullable Refusal refusal;
  final long stack;
  final @Nullable Verdict next;

  Verdict(int generation, ProtectionJudge.@Nullable Refusal refusal) {
    this(generation, refusal, ANY_STACK, null);
  }

  private Verdict(
      int generation,
      ProtectionJudge.@Nullable Refusal refusal,
      long stack,
      @Nullable Verdict next) {
    this.generation = generation;
    this.refusal = refusal;
    this.stack = stack;
    this.next = next;
  }

  /**
   * A verdict that holds only for calls with {@code contexts} on the stack, chained in front of the
   * verdicts {@code head} holds for other masks (same generation; at most {@link #MAX_STACKS}).
   */
  static Verdict under(
      long contexts,
      int generation,
      ProtectionJudge.@Nullable Refusal refusal,
      @Nullable Verdict head) {
    if (contexts < 0) {
      throw new IllegalArgumentException("not a context mask: " + contexts);
    }
    return new Verdict(generation, refusal, contexts, keep(head, contexts, generation, 1));
  }

  /** The chain behind a new verdict: same generation, other masks, bounded. */
  private static @Nullable Verdict keep(
      @Nullable Verdict v, long contexts, int generation, int depth) {
    while (v != null && (v.stack == contexts || v.stack < 0)) {
      v = v.next; // replaced by the new one, or a verdict for every stack (not chained)
    }
    if (v == null || depth >= MAX_STACKS || v.generation != generation) {
      return null;
    }
    return new Verdict(
        v.generation, v.refusal, v.stack, keep(v.next, contexts, generation, depth + 1));
  }

  /** A verdict for one call alone (the judge read what no cache key holds): never cached. */
  static Verdict thisCall(int generation, ProtectionJudge.@Nullable Refusal refusal) {
    return new Verdict(generation, refusal, THIS_CALL, null);
  }

  /** Whether this verdict may be cached (it holds for other calls than the one judged). */
  boolean cacheable() {
    return stack != THIS_CALL;
  }

  /** Whether this verdict holds for every call to its target. */
  boolean anyStack() {
    return stack == ANY_STACK;
  }

  /** The verdict of this chain that holds under {@code contexts}, or null. */
  @Nullable Verdict under(long contexts) {
    if (contexts < 0) {
      return null; // the stack's categories are unknown: judged afresh
    }
    for (Verdict v = this; v != null; v = v.next) {
      if (v.stack == contexts) {
        return v;
      }
    }
    return null;
  }
}
