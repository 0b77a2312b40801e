package dev.tripline.bootstrap;

/**
 * Receives what the hooks saw. Lives in the bootstrap loader so that code woven into {@code java.*}
 * classes can call it; implemented by the agent ({@code instrument.HookDispatcher}) and, until the
 * agent is ready, by {@link EarlyBuffer}.
 *
 * <p>One shape for every hook, on purpose: this interface is defined once per JVM and can never
 * change while it runs, so a new kind of behaviour must not need a new method here. What {@code a},
 * {@code b} and {@code n} hold is declared by the hook itself (the agent's {@code instrument.Hook}:
 * "a = argument 0, n = the return value"), next to the code that reads them, and checked when the
 * hook is woven.
 */
public interface TriplineDispatcher {
  /**
   * One hooked JDK call finished, or (for a hand-off hook) started. Called on the application's
   * thread, with that thread marked busy so that nothing the agent does here is reported.
   *
   * @param hook the hook's index in the agent's table
   * @param error what the JDK method threw, null when it returned
   */
  void observe(int hook, Object a, Object b, int n, Throwable error);

  /**
   * Protect mode: called at the ENTRY of a guarded hook (before any I/O), on the application's
   * thread marked busy, only while the agent has switched guarding on. Returns the exception the
   * hooked JDK method must throw instead of running (a refusal), or null to let it run. Must never
   * throw: the gate treats anything thrown as "let it run" (fail open) and counts it.
   */
  default Throwable decide(int hook, Object a, Object b, int n) {
    return null;
  }

  /**
   * {@link #decide(int, Object, Object, int)} from the gate, which read the thread's counters for
   * it: {@code contextFrames} is false only when no counted context frame (JNDI, deserialization,
   * script, XML entity) of the JDK's classes, nor a library's JNDI frame, can be on this thread's
   * stack — a decision that reads those frames needs no stack walk then.
   */
  default Throwable decide(int hook, Object a, Object b, int n, boolean contextFrames) {
    return decide(hook, a, b, n);
  }
}
