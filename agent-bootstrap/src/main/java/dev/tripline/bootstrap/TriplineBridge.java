package dev.tripline.bootstrap;

import java.util.EnumSet;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The only code the woven hooks call: static, tiny, and defined in the bootstrap loader.
 *
 * <p>Every I/O hook brackets its JDK method with {@link #enter()} / {@link #exit}: only the
 * outermost hooked call on a thread reports (so {@code File.delete} inside {@code Files.delete}, or
 * {@code Net.connect} inside a datagram connect, is one event), and nothing is reported while the
 * agent itself runs on the thread (its class loading, its own files and sockets). Nothing here may
 * throw into the application: every entry catches and counts.
 *
 * <p>Sealed against the application. This class is public and lives in an unnamed module, so any
 * code can reach every field by reflection; it therefore holds no field whose change would change
 * what the agent sees. The dispatcher is the {@link EarlyBuffer} until the agent hands over, then
 * the recorder, each in a {@code static final} ({@code Field.set} refuses a static final, with or
 * without {@code setAccessible}); which one is live is a one-way {@link CountDownLatch} (no public
 * method closes it again, and {@code java.util.concurrent} is not open to reflection). Only the
 * agent's own code may mark a thread as the agent's or seal the recorder in: the loader of the code
 * that called {@link #trust} at {@code premain} (before any application code runs), checked over
 * the caller's whole stack. A refused call is reported to the agent as a tamper finding.
 */
public final class TriplineBridge {
  /** Depth at which a thread counts as the agent's own: it never reports. */
  public static final int AGENT_THREAD = 1 << 20;

  /**
   * The hook index of a tamper report (a refused call): {@code a} = what was refused, {@code b} =
   * the class that asked.
   */
  public static final int TAMPER = -1;

  private static final ThreadLocal<int[]> DEPTH = new DepthLocal();

  /** The dispatcher until the recorder is sealed in. */
  private static final EarlyBuffer EARLY = new EarlyBuffer();

  /** Counted down once, when the recorder is sealed in ({@link Live}): never closes again. */
  private static final CountDownLatch SEALED = new CountDownLatch(1);

  /** Counted down once, when {@link #trust} has fixed the agent's loader ({@link Agent}). */
  private static final CountDownLatch TRUSTED = new CountDownLatch(1);

  private static final StackWalker WALKER =
      StackWalker.getInstance(
          EnumSet.of(
              StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

  /**
   * Exceptions thrown by the dispatcher, caught here so they never reach the application. A count
   * for diagnosis only: nothing depends on it.
   */
  private static volatile long errors;

  // One-shot hand-over slots, read by the holders' static initialisers and cleared at once.
  private static ClassLoader pendingLoader;
  private static TriplineDispatcher pendingDispatcher;

  private TriplineBridge() {}

  /** The agent's loader, fixed at {@code premain} by {@link #trust}. */
  private static final class Agent {
    static final ClassLoader LOADER = pendingLoader;
  }

  /** The recorder, fixed at hand-over by {@link #seal}. */
  private static final class Live {
    static final TriplineDispatcher DISPATCHER = pendingDispatcher;
  }

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
   * Called once by the agent in {@code premain}: its caller's loader becomes the agent's, for good.
   * Returns the buffer that receives what the hooks see until {@link #seal}; null for any later
   * caller. Not synchronized (nor is {@link #seal}): this class's monitor is public, and a payload
   * holding it must not be able to stall the agent. {@code premain} runs before any application
   * code, and {@code seal} accepts the agent's code only.
   */
  public static EarlyBuffer trust() {
    Class<?> caller = WALKER.getCallerClass();
    if (pendingLoader == null && !agentKnown()) {
      pendingLoader = caller.getClassLoader();
      ClassLoader fixed = Agent.LOADER; // initialises the holder from the slot
      pendingLoader = null;
      TRUSTED.countDown();
      if (fixed == caller.getClassLoader()) {
        return EARLY;
      }
    }
    refused("trust", caller);
    return null;
  }

  /** Whether {@link #trust} has fixed the agent's loader (reading the holder would fix it). */
  private static boolean agentKnown() {
    return TRUSTED.getCount() == 0;
  }

  /**
   * Seals {@code recorder} in as the dispatcher, once: from here on every hook reports to it, and
   * nothing reachable by reflection can change that. The early buffer forwards what races with the
   * hand-over. Refused (and reported) unless the agent calls it, and after the first time.
   */
  public static void seal(TriplineDispatcher recorder) {
    Class<?> caller = WALKER.getCallerClass();
    if (recorder == null || !trusted(caller) || SEALED.getCount() == 0) {
      refused("seal", caller);
      throw new IllegalStateException("the dispatcher is sealed already or the caller is foreign");
    }
    pendingDispatcher = recorder;
    TriplineDispatcher fixed = Live.DISPATCHER;
    pendingDispatcher = null;
    if (fixed != recorder) {
      // Someone initialised the holder before the agent did: it holds whatever was pending then.
      throw new IllegalStateException("the dispatcher was sealed before the agent handed over");
    }
    SEALED.countDown();
  }

  /** True when {@code d} is the sealed dispatcher (the agent checks this with every heartbeat). */
  public static boolean sealedTo(TriplineDispatcher d) {
    return SEALED.getCount() == 0 && Live.DISPATCHER == d;
  }

  /** The sealed dispatcher, or null before hand-over. */
  static TriplineDispatcher live() {
    return SEALED.getCount() == 0 ? Live.DISPATCHER : null;
  }

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
      return null;
    }
  }

  /**
   * Woven before every return and every throw of a scoped hook: reports unless an ordinary hooked
   * call (or the agent itself) is around it — another scope is not: a scoped call inside one is the
   * application's (a spawn from a redirect file's {@code getPath()}).
   */
  public static void exitScope(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    if (d == null || d[1] <= 0) {
      return;
    }
    d[1]--;
    if (d[0] == 0) {
      dispatch(d, hook, a, b, n, error);
    }
  }

  /**
   * Woven in place of {@link #exit} for an inner hook, the JDK's own layer under a scoped one:
   * reports only when no hooked call at all, scoped or not, is around it.
   */
  public static void exitInner(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    if (d == null || d[0] <= 0) {
      return;
    }
    if (--d[0] == 0 && d[1] == 0) {
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

  /**
   * Marks the current thread as the agent's: none of its I/O is reported, ever. Only for the
   * agent's own threads: refused (false, and reported as a tamper finding) when any frame on the
   * stack belongs to code other than the JDK's and the agent's — a payload calling this, or calling
   * agent code that calls it, stays visible. Rare (once per agent thread): the stack walk is
   * affordable.
   */
  public static boolean markAgentThread() {
    try {
      Class<?> foreign = WALKER.walk(new FirstForeign());
      if (foreign != null) {
        refused("markAgentThread", foreign);
        return false;
      }
      DEPTH.get()[0] = AGENT_THREAD;
      return true;
    } catch (Throwable e) {
      countError();
      return false;
    }
  }

  /**
   * Runs {@code probe} with the current thread counted as an application thread, so its hooked
   * calls report through the same path as the application's (the agent's canary). Grants nothing: a
   * thread only becomes more visible.
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
   * seen.
   */
  private static void dispatch(int[] d, int hook, Object a, Object b, int n, Throwable error) {
    TriplineDispatcher t = SEALED.getCount() == 0 ? Live.DISPATCHER : EARLY;
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

  /** Reports a refused call to the agent, from the thread that made it. */
  private static void refused(String what, Class<?> by) {
    try {
      int[] d = DEPTH.get();
      if (d[0] < AGENT_THREAD) {
        dispatch(d, TAMPER, what, by == null ? "?" : by.getName(), 0, null);
      }
    } catch (Throwable e) {
      countError();
    }
  }

  private static boolean trusted(Class<?> c) {
    return agentKnown() && Agent.LOADER != null && c.getClassLoader() == Agent.LOADER;
  }

  /**
   * The first frame whose code is neither the JDK's nor the agent's: application code (any loader
   * but the boot, platform and agent loaders, hidden classes included), or a class someone defined
   * into the bridge's own package.
   */
  private static final class FirstForeign
      implements Function<Stream<StackWalker.StackFrame>, Class<?>> {
    @Override
    public Class<?> apply(Stream<StackWalker.StackFrame> frames) {
      if (!agentKnown() || Agent.LOADER == null) {
        return TriplineBridge.class; // no agent trusted yet: nobody may mark
      }
      ClassLoader platform = ClassLoader.getPlatformClassLoader();
      Iterator<StackWalker.StackFrame> it = frames.iterator();
      while (it.hasNext()) {
        Class<?> c = it.next().getDeclaringClass();
        ClassLoader l = c.getClassLoader();
        if (l == null) {
          if (c.getName().startsWith("dev.tripline.") && !ownClass(c)) {
            return c;
          }
        } else if (l != platform && l != Agent.LOADER) {
          return c;
        }
      }
      return null;
    }

    private static boolean ownClass(Class<?> c) {
      return c == TriplineBridge.class
          || c == EarlyBuffer.class
          || c == FirstForeign.class
          || c == DepthLocal.class;
    }
  }

  /**
   * A named class rather than a lambda: no invokedynamic bootstrap (and its class loading) under a
   * hook.
   */
  private static final class DepthLocal extends ThreadLocal<int[]> {
    @Override
    protected int[] initialValue() {
      return new int[2]; // [0] ordinary and inner brackets (and the agent's mark), [1] scopes
    }
  }
}
