package dev.tripline.bootstrap;

/**
 * The only code advice calls. Static, tiny, and on the bootstrap class path.
 *
 * <p>Every hook brackets the JDK method with {@link #enter()} / {@link #exit(int)}: only the
 * outermost hooked call on a thread reports (so {@code File.delete} inside {@code Files.delete}, or
 * {@code Net.connect} inside a datagram connect, is one event), and nothing is reported while the
 * agent itself runs on the thread (its class loading, its own files and sockets).
 */
public final class TriplineBridge {
  /** Set once by the agent when it is ready; null means "not started" or "switched off". */
  public static volatile TriplineDispatcher dispatcher;

  /** Exceptions thrown by the dispatcher, caught here so they never reach the application. */
  public static volatile long errors;

  /** Depth at which a thread counts as the agent's own: it never reports. */
  public static final int AGENT_THREAD = 1 << 20;

  private static final ThreadLocal<int[]> DEPTH = new DepthLocal();

  private TriplineBridge() {}

  /**
   * Called on hook entry; returns this thread's depth counter, raised by one. The advice hands it
   * back to {@link #exit} and {@link #report}: one ThreadLocal read per hooked call, not three.
   */
  public static int[] enter() {
    int[] d = DEPTH.get();
    d[0]++;
    return d;
  }

  /** Called on hook exit with what {@link #enter()} returned; true when this call should report. */
  public static boolean exit(int[] d) {
    if (d == null || d[0] <= 0) {
      return false; // enter() failed, or the counter was reset under us
    }
    return --d[0] == 0 && dispatcher != null;
  }

  /** Marks the current thread as the agent's: none of its I/O is reported, ever. */
  public static void markAgentThread() {
    DEPTH.get()[0] = AGENT_THREAD;
  }

  /** Hands an observation to the agent with the thread marked busy, so the agent's own I/O is not seen. */
  public static void report(int[] d, int kind, Object target, Object extra, int port, Throwable error) {
    d[0]++;
    try {
      TriplineDispatcher t = dispatcher;
      if (t != null) {
        t.report(kind, target, extra, port, error);
      }
    } catch (Throwable e) {
      errors++; // racy on purpose: a diagnostic count must never cost the application a lock
    } finally {
      d[0]--;
    }
  }

  /** A named class rather than a lambda: no invokedynamic bootstrap (and its class loading) under a hook. */
  private static final class DepthLocal extends ThreadLocal<int[]> {
    @Override
    protected int[] initialValue() {
      return new int[1];
    }
  }
}
