package dev.tripline.bootstrap;

import java.util.EnumSet;
import java.util.function.BiFunction;

/**
 * What the hooks woven into JDK code call, and the only state that decides what the agent sees.
 * Compiled here under this name, but never loaded under it: the agent renames it into a package of
 * {@code java.base} ({@code jdk.internal.event}, or {@code jdk.internal.vm} on a JDK without it)
 * and defines it there at {@code premain}. That package is exported only to the JDK modules whose
 * classes carry hooks and to the agent's own module, and opened to none: application code can
 * neither link to this class, nor call it by reflection or a method handle, nor reach its fields
 * with {@code setAccessible} or a private lookup. So nothing the application can reach can leave a
 * thread inside a bracket, mark a thread as the agent's, or read or replace the dispatcher.
 *
 * <p>Every I/O hook brackets its JDK method with {@link #enter()} (a guarded one with {@link
 * #guardEnter}, which takes protect mode's decision first) / {@link #exit}: only the outermost
 * hooked call on a thread reports (so {@code File.delete} inside {@code Files.delete}, or {@code
 * Net.connect} inside a datagram connect, is one event), and nothing is reported while the agent
 * itself runs on the thread (its class loading, its own files and sockets). Nothing here may throw
 * into the application: every entry catches and counts.
 *
 * <p>Library hooks (Netty, Reactor, Spring, woven into application loaders, which cannot link to
 * this class) report through {@link TriplineBridge#report}, public, which hands over to this
 * class's one instance as a {@link TriplineDispatcher}: report-only, it opens no bracket and
 * silences nothing.
 *
 * <p>Constraints of the rename: no nested classes, lambdas or method references, and no member
 * whose type is this class (only the class's own name is rewritten); every type it uses is the
 * JDK's or a public class of the bridge package, defined in the boot loader before it.
 */
public final class TriplineGate
    implements TriplineDispatcher, BiFunction<ClassLoader, boolean[][], EarlyBuffer> {
  private static final Counters DEPTH = new Counters();

  /**
   * What {@link #enter} hands out when it cannot read the thread's counter (an {@code
   * OutOfMemoryError} or a {@code StackOverflowError} in the thread-local lookup): shared, counted
   * for nobody, never reported from.
   */
  private static final int[] SPARE = new int[2];

  /** Serialises {@link #trust} and {@link #seal}: private, so no payload can hold it. */
  private static final Object LOCK = new Object();

  private static final StackWalker WALKER =
      StackWalker.getInstance(
          EnumSet.of(
              StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

  /** The dispatcher until the recorder is sealed in. */
  private static final EarlyBuffer EARLY = new EarlyBuffer();

  static {
    TriplineBridge.offerTrust(new TriplineGate()); // premain's trust without reflection (apply)
  }

  /** The recorder, once sealed in ({@link #seal}); never replaced. */
  private static volatile TriplineDispatcher live;

  /** The agent's loader, fixed once by {@link #trust}. */
  private static volatile ClassLoader agent;

  /**
   * The hook indexes of library hooks, fixed once by {@link #trust}: all the public entry takes.
   */
  private static volatile boolean[] library = new boolean[0];

  /**
   * The hook indexes of guarded library hooks, fixed once by {@link #trust}: all the public entry's
   * {@link TriplineBridge#guard} judges.
   */
  private static volatile boolean[] guardedLibrary = new boolean[0];

  /**
   * Exceptions thrown by the dispatcher, caught here so they never reach the application. A count
   * for diagnosis only: nothing depends on it.
   */
  private static volatile long errors;

  /**
   * Protect mode is on (dry-run or block) and not braked: only then does {@link #guardEnter} ask
   * the dispatcher. The one volatile read a guarded call pays while protection is off.
   */
  private static volatile boolean guarding;

  private TriplineGate() {}

  /** Racy on purpose: a diagnostic count must never cost the application a lock or a CAS loop. */
  @SuppressWarnings("NonAtomicVolatileUpdate")
  private static void countError() {
    errors++;
  }

  /** Exceptions the dispatcher threw (and this class caught) since start. */
  public static long errors() {
    return errors;
  }

  /**
   * Called once by the agent in {@code premain}, before any application code runs: {@code loader}
   * becomes the agent's (its frames may mark a thread), and the library entry ({@link
   * TriplineBridge}) is connected to this gate, for the hook indexes {@code ids[0]} marks (its
   * entry decision for those {@code ids[1]} marks). Returns the buffer that receives what the hooks
   * see until {@link #seal}; null for any later call. Two parameters: premain calls this
   * reflectively, and on JDK 18+ a call of the shape the JVM's own call of premain warmed costs a
   * fraction of a millisecond, one more parameter some milliseconds.
   */
  public static EarlyBuffer trust(ClassLoader loader, boolean[][] ids) {
    synchronized (LOCK) {
      if (agent != null || loader == null || ids.length != 2) {
        return null;
      }
      library = ids[0].clone();
      guardedLibrary = ids[1].clone();
      if (!TriplineBridge.connect(new TriplineGate())) {
        return null;
      }
      agent = loader;
      return EARLY;
    }
  }

  /** {@link #trust}, for the one instance this class's initializer hands over. */
  @Override
  public EarlyBuffer apply(ClassLoader loader, boolean[][] ids) {
    return trust(loader, ids);
  }

  /**
   * Seals {@code recorder} in as the dispatcher, once: from here on every hook reports to it. The
   * early buffer forwards what races with the hand-over.
   */
  public static void seal(TriplineDispatcher recorder) {
    synchronized (LOCK) {
      if (recorder == null || live != null || agent == null) {
        throw new IllegalStateException("the dispatcher is sealed already");
      }
      live = recorder;
    }
  }

  /** True when {@code d} is the sealed dispatcher (the agent checks this with every heartbeat). */
  public static boolean sealedTo(TriplineDispatcher d) {
    return live == d && d != null;
  }

  /**
   * Woven at the entry of an I/O hook; returns this thread's depth counter, raised by one. The hook
   * keeps it in a local and hands it back to {@link #exit}: one ThreadLocal read per hooked call.
   * Raised last, after the only call that can fail: a failure leaves the counter as it was.
   */
  public static int[] enter() {
    try {
      int[] d = DEPTH.get();
      d[0]++;
      return d;
    } catch (Throwable e) {
      return SPARE; // e.g. OutOfMemoryError creating the counter: this call goes unreported
    }
  }

  /**
   * Saturation of the context frame count ({@code d[2]}): reached (a leak, never a real stack), the
   * count stays there for good, so the thread's guarded calls are always walked.
   */
  private static final int STUCK = 1 << 24;

  /**
   * Woven at the entry of every method of the JDK's classes whose frames a blocking rule reads (the
   * JNDI, deserialization, script and XML-entity context categories), before anything else: counts
   * the frame. Lowered by {@link #contextExit} before every return and in a catch-all handler; a
   * missed exit leaves the count high (the thread's guarded calls are walked: safe), never low.
   */
  public static void contextEnter() {
    try {
      int[] d = DEPTH.get();
      if (d[2] < STUCK) {
        d[2]++;
      }
    } catch (Throwable e) {
      countError(); // the frame is not counted: mark nothing lower than before (see contextFrames)
      countLost = true;
    }
  }

  /**
   * Woven before every return of a counted method and in its catch-all handler: the frame is off
   * the stack. Never below zero; a saturated count stays.
   */
  public static void contextExit() {
    try {
      int[] d = DEPTH.get();
      int c = d[2];
      if (c > 0 && c < STUCK) {
        d[2] = c - 1;
      }
    } catch (Throwable e) {
      countError(); // not lowered: the count stays high (safe)
    }
  }

  /**
   * Whether a counted context frame may be on this thread's stack: a woven JDK frame counted, a
   * library's JNDI frame run once on this thread, or an entry that could not be counted anywhere
   * (then every thread answers yes from here on). Zero means none is.
   */
  public static int contextFrames() {
    try {
      return frames(DEPTH.get());
    } catch (Throwable e) {
      return 1; // unknown: walk
    }
  }

  /** {@link #contextFrames()} from counters already read (a guarded call's own bracket). */
  private static int frames(int[] d) {
    return countLost ? 1 : d[2] | d[3];
  }

  /**
   * An entry failed to count its frame (an error reading the thread's counters): no count can be
   * trusted any more, on any thread.
   */
  private static volatile boolean countLost;

  /**
   * Switches the entry decision of guarded hooks on or off (protect mode; the agent's policy
   * thread). Public but unreachable for the application: this class's package is exported to the
   * agent's module and the woven JDK modules only.
   */
  public static void guard(boolean on) {
    guarding = on;
  }

  /**
   * Woven at the entry of a guarded hook in place of {@link #enter()}, before the method's first
   * instruction: while protection is on, asks the dispatcher whether this call is refused, and if
   * so throws the refusal (an exception the hooked method declares) before the counter is raised —
   * no bracket is open yet, so nothing is left to unwind; otherwise raises the counter as {@link
   * #enter()} does and returns it. One thread-local read for both (the decision needs the counter:
   * only the outermost hooked call on an application thread is judged; the agent's own threads and
   * its I/O carry a raised counter). Anything else that goes wrong here is caught and counted, and
   * the call goes ahead (fail open).
   */
  public static int[] guardEnter(int hook, Object a, Object b, int n) {
    int[] d = guarded(hook, a, b, n);
    if (d != SPARE) {
      d[0]++;
    }
    return d;
  }

  /**
   * {@link #guardEnter} for a guarded scoped hook: raises the scope counter ({@link #enterScope}).
   */
  public static int[] guardEnterScope(int hook, Object a, Object b, int n) {
    int[] d = guarded(hook, a, b, n);
    if (d != SPARE) {
      d[1]++;
    }
    return d;
  }

  /**
   * This thread's counter (unchanged), after the entry decision while guarding; throws a refusal.
   * {@link #SPARE} when the counter cannot be read: that call is neither judged nor reported.
   */
  private static int[] guarded(int hook, Object a, Object b, int n) {
    int[] d;
    try {
      d = DEPTH.get();
    } catch (Throwable e) {
      return SPARE;
    }
    if (guarding) {
      Throwable refusal = judge(d, hook, a, b, n);
      if (refusal != null) {
        TriplineGate.<RuntimeException>rethrow(refusal);
      }
    }
    return d;
  }

  /**
   * A guarded library hook's entry, from {@link TriplineBridge#guard} (reachable by any code: this
   * instance is what the bridge holds): judged as {@link #guardEnter} judges a JDK hook's, and the
   * refusal returned for the bridge to throw. Only a guarded library hook's index is taken: a JDK
   * hook's verdict cannot be asked for through here.
   */
  @Override
  public Throwable decide(int hook, Object a, Object b, int n) {
    if (!guarding) {
      return null;
    }
    boolean[] ids = guardedLibrary;
    if (hook < 0 || hook >= ids.length || !ids[hook]) {
      return null;
    }
    int[] d;
    try {
      d = DEPTH.get();
    } catch (Throwable e) {
      countError();
      return null;
    }
    return judge(d, hook, a, b, n);
  }

  /**
   * The dispatcher's verdict on the outermost hooked call of an application thread, asked with the
   * thread marked busy; null for any other call, and when anything goes wrong (counted).
   */
  private static Throwable judge(int[] d, int hook, Object a, Object b, int n) {
    Throwable refusal;
    try {
      TriplineDispatcher t = live;
      if (t == null || d[0] != 0) {
        return null;
      }
      boolean frames = frames(d) != 0;
      d[0]++;
      try {
        refusal = t.decide(hook, a, b, n, frames);
      } finally {
        d[0]--;
      }
    } catch (Throwable e) {
      countError();
      return null;
    }
    return refusal;
  }

  /** Throws {@code t} as it is: the JVM does not check declared exceptions. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void rethrow(Throwable t) throws T {
    throw (T) t;
  }

  /**
   * Woven before every return and every throw of an I/O hook, after the woven code itself lowered
   * {@code d[0]} again, in line: no call stands between the hooked body and the counter's
   * restoring, so a payload that overflows the stack just there (a {@code StackOverflowError} in
   * this call) loses at most this one report and never leaves its thread inside a bracket. Reports
   * when this was the outermost hooked call on an application thread.
   */
  public static void exit(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    if (d != null && d != SPARE && d[0] == 0) {
      dispatch(d, hook, a, b, n, error);
    }
  }

  /**
   * Woven at the entry of a scoped hook instead of {@link #enter()}: a JDK method that runs the
   * application's own code inside it (an overridden {@code File.getPath()}, the options {@code Set}
   * of an open, a redirect's {@code File}) or that does I/O of its own worth reporting (a spawn
   * opening its redirect files). Its scope hides only the {@linkplain #exitInner inner} hooks below
   * it (the spawn's fork, the open(2) under a channel open): every other hooked call inside it, the
   * application's callbacks' included, reports on its own, with its own call site.
   */
  public static int[] enterScope() {
    try {
      int[] d = DEPTH.get();
      d[1]++;
      return d;
    } catch (Throwable e) {
      return SPARE;
    }
  }

  /**
   * Woven before every return and every throw of a scoped hook: reports unless an ordinary hooked
   * call (or the agent itself) is around it — another scope is not: a scoped call inside one is the
   * application's (a spawn from a redirect file's {@code getPath()}). The woven code lowered {@code
   * d[1]} already, in line (see {@link #exit}).
   */
  public static void exitScope(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    if (d != null && d != SPARE && d[0] == 0) {
      dispatch(d, hook, a, b, n, error);
    }
  }

  /**
   * Woven in place of {@link #exit} for an inner hook, the JDK's own layer under a scoped one:
   * reports only when no hooked call at all, scoped or not, is around it. The woven code lowered
   * {@code d[0]} already, in line (see {@link #exit}).
   */
  public static void exitInner(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    if (d != null && d != SPARE && d[0] == 0 && d[1] == 0) {
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
    if (d[0] < TriplineBridge.AGENT_THREAD) {
      dispatch(d, hook, a, b, 0, null);
    }
  }

  /**
   * A library hook's report, from {@link TriplineBridge#report} (reachable by any code: this
   * instance is what the bridge holds). Report-only: it changes no counter beyond the dispatch
   * itself, so no caller can silence anything with it. Dropped on the agent's threads and inside a
   * hooked JDK call (the agent's own work), like an ordinary hook's nested report. Only a library
   * hook's index is taken: a JDK hook's observation (a file read, a spawn) or a tamper report
   * cannot be forged through here.
   */
  @Override
  public void observe(int hook, Object a, Object b, int n, Throwable error) {
    if (hook == TriplineBridge.JNDI_FRAME) {
      try {
        DEPTH.get()[3] = 1; // raise-only: nothing lowers it
      } catch (Throwable e) {
        countError();
        countLost = true;
      }
      return;
    }
    boolean[] ids = library;
    if (hook < 0 || hook >= ids.length || !ids[hook]) {
      return;
    }
    try {
      int[] d = DEPTH.get();
      if (d[0] == 0) {
        dispatch(d, hook, a, b, n, error);
      }
    } catch (Throwable e) {
      countError();
    }
  }

  /**
   * Marks the current thread as the agent's: none of its I/O is reported, ever. Only for the
   * agent's own threads: refused (false, and reported as a tamper finding) when any frame on the
   * stack belongs to code other than the JDK's and the agent's — a payload that gets agent code to
   * call this on its thread (a thread renamed as the agent's Kafka thread) stays visible. Rare
   * (once per agent thread): the stack walk is affordable.
   */
  public static boolean markAgentThread() {
    try {
      ClassLoader trusted = agent;
      Class<?> foreign =
          trusted == null ? TriplineGate.class : WALKER.walk(new AgentFrames(trusted));
      if (foreign != null) {
        refused("markAgentThread", foreign);
        return false;
      }
      DEPTH.get()[0] = TriplineBridge.AGENT_THREAD;
      return true;
    } catch (Throwable e) {
      countError();
      return false;
    }
  }

  /**
   * Runs {@code probe} with the current thread counted as an application thread, so its hooked
   * calls report through the same path as the application's (the agent's canary).
   */
  public static void observed(Runnable probe) {
    int[] d = DEPTH.get();
    int saved = d[0];
    int savedScopes = d[1];
    d[0] = 0;
    d[1] = 0;
    try {
      probe.run();
    } finally {
      d[0] = saved;
      d[1] = savedScopes;
    }
  }

  /**
   * Hands an observation to the agent with the thread marked busy, so the agent's own I/O is not
   * seen. Before the hand-over the early buffer takes it; one that finds the buffer closed (it
   * raced with the hand-over) goes to the recorder, sealed by then.
   */
  private static void dispatch(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    TriplineDispatcher t = live;
    d[0]++;
    try {
      if (t != null) {
        t.observe(hook, a, b, n, error);
      } else {
        EARLY.observe(hook, a, b, n, error);
      }
    } catch (Throwable e) {
      countError();
    } finally {
      d[0]--;
    }
  }

  /** Reports a refused call to the agent, from the thread that made it. */
  private static void refused(String what, Class<?> by) {
    try {
      int[] d = DEPTH.get();
      if (d[0] < TriplineBridge.AGENT_THREAD) {
        dispatch(d, TriplineBridge.TAMPER, what, by == null ? "?" : by.getName(), 0, null);
      }
    } catch (Throwable e) {
      countError();
    }
  }
}
