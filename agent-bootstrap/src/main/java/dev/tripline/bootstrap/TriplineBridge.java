package dev.tripline.bootstrap;

/**
 * The only code the woven hooks call: static, tiny, and defined in the bootstrap loader.
 *
 * <p>Every I/O hook brackets its JDK method with {@link #enter()} / {@link #exit}: only the
 * outermost hooked call on a thread reports (so {@code File.delete} inside {@code Files.delete}, or
 * {@code Net.connect} inside a datagram connect, is one event), and nothing is reported while the
 * agent itself runs on the thread (its class loading, its own files and sockets). Nothing here may
 * throw into the application: every entry catches and counts.
 */
public final class TriplineBridge {
  /**
   * Set by the agent: first an {@link EarlyBuffer}, then the recorder; null means "switched off".
   */
  public static volatile TriplineDispatcher dispatcher;

  /** Exceptions thrown by the dispatcher, caught here so they never reach the application. */
  public static volatile long errors;

  /** Racy on purpose: a diagnostic count must never cost the application a lock or a CAS loop. */
  @SuppressWarnings("NonAtomicVolatileUpdate")
  private static void countError() {
    errors++;
  }

  /** Depth at which a thread counts as the agent's own: it never reports. */
  public static final int AGENT_THREAD = 1 << 20;

  private static final ThreadLocal<int[]> DEPTH = new DepthLocal();

  private TriplineBridge() {}

  /**
   * Woven at the entry of an I/O hook; returns this thread's depth counter, raised by one. The hook
   * keeps it in a local and hands it back to {@link #exit}: one ThreadLocal read per hooked call.
   */
  public static int[] enter() {
    try {
      int[] d = DEPTH.get();
      d[0]++;
      return d;
    } catch (Throwable e) {
      return null; // e.g. OutOfMemoryError creating the counter: this call goes unreported
    }
  }

  /**
   * Woven before every return and every throw of an I/O hook. Reports when this was the outermost
   * hooked call on an application thread.
   */
  public static void exit(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    if (d == null || d[0] <= 0) {
      return; // enter() failed, or the counter was reset under us
    }
    if (--d[0] == 0) {
      dispatch(d, hook, a, b, n, error);
    }
  }

  /**
   * Woven at the entry of a hand-off hook (code that asks another thread to do I/O for it, such as
   * {@code HttpClient.sendAsync}). Not bracketed: the I/O it leads to must still report.
   */
  public static void handoff(int hook, Object a, Object b) {
    int[] d;
    try {
      d = DEPTH.get();
    } catch (Throwable e) {
      return;
    }
    if (d[0] < AGENT_THREAD) {
      dispatch(d, hook, a, b, 0, null);
    }
  }

  /** Marks the current thread as the agent's: none of its I/O is reported, ever. */
  public static void markAgentThread() {
    DEPTH.get()[0] = AGENT_THREAD;
  }

  /**
   * Hands an observation to the agent with the thread marked busy, so the agent's own I/O is not
   * seen.
   */
  private static void dispatch(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    TriplineDispatcher t = dispatcher;
    if (t == null) {
      return;
    }
    d[0]++;
    try {
      t.observe(hook, a, b, n, error);
    } catch (Throwable e) {
      countError();
    } finally {
      d[0]--;
    }
  }

  /**
   * A named class rather than a lambda: no invokedynamic bootstrap (and its class loading) under a
   * hook.
   */
  private static final class DepthLocal extends ThreadLocal<int[]> {
    @Override
    protected int[] initialValue() {
      return new int[1];
    }
  }
}
