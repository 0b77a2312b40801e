package dev.tripline.bootstrap;

/**
 * The public face of the bridge, in the boot loader's unnamed module, which every class can link to
 * and reflect into: so it holds no power. What decides what the agent sees (the per-thread
 * brackets, the agent-thread mark, the dispatcher) lives in {@link TriplineGate}, defined into a
 * package of {@code java.base} that the application cannot reach.
 *
 * <p>What is left here is for library hooks (Netty, Reactor Netty, Spring's WebClient), woven into
 * the application's own class loaders, which cannot link to the gate: {@link #report} hands one
 * observation to the gate and returns. It opens no bracket and returns nothing, so calling it, with
 * any arguments, in any order, from any thread, silences nothing: at most it adds a report (the
 * library's kinds of behaviour only; a payload can cause those for real anyway). {@link #guard} is
 * protect mode's entry decision of a guarded library hook (Netty's native connect).
 */
public final class TriplineBridge {
  /** Depth at which a thread counts as the agent's own: it never reports. */
  public static final int AGENT_THREAD = 1 << 20;

  /**
   * The hook index of a tamper report (a refused call): {@code a} = what was refused, {@code b} =
   * the class that asked.
   */
  public static final int TAMPER = -1;

  /**
   * The hook index {@link #jndiFrame} reports under: the gate marks the thread as having run a
   * library's JNDI frame, and reports nothing.
   */
  public static final int JNDI_FRAME = -2;

  // One-shot hand-over slot, read by the holder's static initialiser and cleared at once.
  private static TriplineDispatcher pending;

  /**
   * The gate's {@code trust}, handed by its class initializer to the agent on the thread that
   * initialises the gate (premain's), so that premain calls it through a JDK interface: a
   * reflective call's first run spins method-handle classes on JDK 18+, on the application's
   * start-up path. One-shot: taken at once, and the gate refuses a second trust anyway.
   */
  private static final ThreadLocal<Object> TRUST = new ThreadLocal<>();

  private TriplineBridge() {}

  /** Called by the gate's class initializer. */
  public static void offerTrust(Object trust) {
    TRUST.set(trust);
  }

  /** The trust offered on this thread, or null; the slot is empty afterwards. */
  public static Object takeTrust() {
    Object trust = TRUST.get();
    TRUST.remove();
    return trust;
  }

  /** The gate's library entry, fixed once by {@link #connect}: a final field cannot be set. */
  private static final class Port {
    static final TriplineDispatcher GATE = pending;
  }

  /**
   * Woven into a library hook, at its exit (or at its entry, for a hand-off): one observation for
   * the agent. Nothing is kept between calls.
   */
  public static void report(int hook, Object a, Object b, int n, Throwable error) {
    try {
      TriplineDispatcher gate = Port.GATE;
      if (gate != null) {
        gate.observe(hook, a, b, n, error);
      }
    } catch (Throwable e) {
      // never into the application; the gate counts what its dispatcher throws
    }
  }

  /**
   * Woven at the entry of a guarded library hook, before anything else: while protect mode is on,
   * the gate judges the call as a guarded JDK hook's entry is judged, and in block this throws the
   * refusal (an exception the hooked method declares) before the method's first instruction.
   * Protection off, it costs the gate's one volatile read. The gate takes only the indexes of
   * guarded library hooks. Harmless in a payload's hands: called directly, it can only refuse (or
   * report as refused) a call that never happens, on the caller's own thread, into the caller
   * itself; it opens no bracket, marks nothing and silences nothing. Anything else that goes wrong
   * is swallowed: the call goes ahead (fail open).
   */
  public static void guard(int hook, Object a, Object b, int n) {
    Throwable refusal;
    try {
      TriplineDispatcher gate = Port.GATE;
      if (gate == null) {
        return;
      }
      refusal = gate.decide(hook, a, b, n);
    } catch (Throwable e) {
      return; // never into the application; the gate counts what its dispatcher throws
    }
    if (refusal != null) {
      TriplineBridge.<RuntimeException>rethrow(refusal);
    }
  }

  /**
   * Woven at the entry of every method of a library's JNDI classes (log4j's {@code JndiManager} and
   * {@code JndiLookup}): from now on protect mode reads this thread's stack at every guarded
   * connect, as it does under the JDK's JNDI frames. Raise-only and for good (there is no public
   * way back): called by a payload, it can only make the agent look harder at its own thread.
   */
  public static void jndiFrame() {
    try {
      TriplineDispatcher gate = Port.GATE;
      if (gate != null) {
        gate.observe(JNDI_FRAME, null, null, 0, null);
      }
    } catch (Throwable e) {
      // never into the application
    }
  }

  /** Throws {@code t} as it is: the JVM does not check declared exceptions. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void rethrow(Throwable t) throws T {
    throw (T) t;
  }

  /**
   * Connects the gate, once: the agent's gate calls this at {@code premain}, before any application
   * code runs (the gate cannot be reached from here). False for every later call, whatever it
   * passes.
   */
  public static boolean connect(TriplineDispatcher gate) {
    if (gate == null || pending != null) {
      return false;
    }
    pending = gate;
    boolean connected = Port.GATE == gate; // initialises the holder from the slot, once
    pending = null;
    return connected;
  }
}
