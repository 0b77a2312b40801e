package dev.tripline.walkcost;

import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;

/**
 * What the context check adds to the stack walk of a new behaviour: {@link CallSites#capture} (the
 * whole stack, each frame matched against {@link ContextFrames}) against {@link CallSites#site()},
 * the walk that stops after the call site and four frames (what sampled repeats and, before context
 * frames, new behaviours paid), at stack depths of a small and a large service. A plain timing
 * loop, not JMH: the agent module has no JMH, and the figure only needs to be honest to a
 * microsecond (docs/benchmarks.md has the command). Outside {@code dev.tripline.agent}: the walk
 * skips the agent's own frames.
 */
public final class ContextWalkCost {
  private static final ContextFrames TABLE = new ContextFrames("");
  static volatile Object sink;

  public static void main(String[] args) {
    for (int depth : new int[] {20, 100, 250}) {
      for (int round = 0; round < 3; round++) {
        double before = timed(depth, false);
        double after = timed(depth, true);
        if (round == 2) {
          System.out.printf(
              "depth %3d: walk to the call site %.1f µs, whole stack with context check %.1f µs (+%.1f µs)%n",
              depth, before, after, after - before);
        }
      }
    }
  }

  private static double timed(int depth, boolean withContexts) {
    int n = 20_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink = recurse(depth, withContexts);
    }
    return (System.nanoTime() - t0) / 1_000.0 / n;
  }

  private static Object recurse(int depth, boolean withContexts) {
    if (depth > 0) {
      return recurse(depth - 1, withContexts);
    }
    return withContexts ? CallSites.capture(TABLE) : CallSites.site();
  }
}
