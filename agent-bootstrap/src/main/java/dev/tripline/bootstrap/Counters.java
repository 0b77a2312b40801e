package dev.tripline.bootstrap;

/**
 * The per-thread bracket counters of {@code TriplineGate}: {@code [0]} ordinary and inner brackets
 * (and the agent's mark), {@code [1]} scopes, {@code [2]} context frames (JNDI, deserialization,
 * script, XML entity) of the JDK's woven classes on the stack, {@code [3]} set for good once a
 * library's JNDI frame ran on the thread. Public only because the gate, defined into a package of
 * {@code java.base}, must link to it; an instance anyone else creates counts for nobody: only the
 * gate's own (out of reach in {@code java.base}) is read by the hooks. A named class rather than a
 * lambda: no invokedynamic bootstrap (and its class loading) under a hook.
 */
public final class Counters extends ThreadLocal<int[]> {
  @Override
  protected int[] initialValue() {
    return new int[4];
  }
}
