package dev.tripline.bootstrap;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the hooks see between the end of {@code premain} and the moment the agent's recorder is
 * ready on its own thread: the agent weaves before {@code main} (so the application's first I/O is
 * seen) but builds everything else (protobuf, caches, the Kafka client) while the application
 * starts. Each observation keeps its thread and stack, so it is reported later as if it had been
 * recorded live. Bounded: the first {@link #WITH_STACK} keep their stack (their call site is
 * known), the rest up to {@link #CAPACITY} are kept without it (reported with an empty call site
 * rather than lost: a short-lived JVM can do thousands of distinct things before the recorder is
 * ready on a loaded machine), and beyond that they are counted as dropped.
 *
 * <p>Noise must not push out what matters (a static initializer's 9 000 failed opens, then a
 * credential read): a repeat of a recent (hook, target, outcome) is folded into its first
 * observation as a count, as the recorder folds repeats; failed operations may take at most {@link
 * #ERROR_SHARE} slots and {@link #ERROR_STACKS} stacks, so successful ones always find room and a
 * call site. Distinct successful observations beyond the capacity are still dropped and counted.
 * Lock-free: atomics only.
 *
 * <p>Nothing of the agent's own code runs here on the application's thread: that thread may hold a
 * class's initialization lock (a hooked open inside {@code java.security.Security.<clinit>}) while
 * the agent's thread, building the recorder, initializes classes that need it. A look at the file
 * system from here (to resolve a path before a swap at the replay) deadlocked exactly so: the
 * application's thread waited for the agent's {@code EventKind}, the agent's thread for {@code
 * Security} (6 of 15 launches of {@code LongNamesApp}, 2026-12-06). Such work needs every class it
 * touches initialized before it is switched on.
 */
public final class EarlyBuffer implements TriplineDispatcher {
  public static final int CAPACITY = 8192;
  public static final int WITH_STACK = 2048;

  /** Most slots failed operations may take: the rest is kept for what succeeded. */
  public static final int ERROR_SHARE = CAPACITY / 4;

  /** Most stacks failed operations may take. */
  public static final int ERROR_STACKS = WITH_STACK / 4;

  /** Recent observations by (hook, target) hash, to fold repeats into: a bounded, lossy index. */
  private static final int FOLD_SLOTS = 1024;

  /**
   * Frames one observation may keep (innermost first), while {@link #FRAME_BUDGET} lasts: a whole
   * stack in practice, so the call site and the outermost context frame (a JNDI lookup or a
   * deserialization tens of frames below a socket connect, a malicious dependency's static
   * initializer a hundred frames into a framework's start-up) are kept as the live path sees them.
   */
  public static final int MAX_FRAMES = 512;

  /** Once the budget is spent, each observation keeps its innermost this many. */
  public static final int SHALLOW_FRAMES = 32;

  /**
   * Frames beyond {@link #SHALLOW_FRAMES} all observations keep together: half again what every
   * stacked observation keeps shallowly, so the buffer stays within a few MiB at worst however deep
   * the stacks.
   */
  public static final int FRAME_BUDGET = WITH_STACK * SHALLOW_FRAMES / 2;

  private static final StackWalker WALKER =
      StackWalker.getInstance(
          EnumSet.of(
              StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_REFLECT_FRAMES));

  private final AtomicReferenceArray<Observation> slots = new AtomicReferenceArray<>(CAPACITY);
  private final AtomicInteger claimed = new AtomicInteger();
  private final AtomicReferenceArray<Observation> recent = new AtomicReferenceArray<>(FOLD_SLOTS);
  private final AtomicInteger errors = new AtomicInteger();
  private final AtomicInteger stacks = new AtomicInteger();
  private final AtomicInteger framesLeft = new AtomicInteger(FRAME_BUDGET);

  /** Observations lost: every one once the buffer is full, from any thread. */
  private final AtomicLong dropped = new AtomicLong();

  /** The recorder, from the hand-over on: takes what found the buffer closed. */
  private volatile TriplineDispatcher live;

  /**
   * Hook indexes that report context, never an event (a request's scope, a task handed to another
   * thread): not buffered. They are dropped on replay anyway, and a framework's start-up hands
   * thousands of tasks to pools — each would have taken a slot and a stack from the I/O that
   * matters (a credential read after them, dropped or without a call site).
   */
  private volatile boolean[] contextOnly = new boolean[0];

  /** Hook indexes that report the JVM's halt (see {@link #halting}). */
  private volatile boolean[] halts = new boolean[0];

  private volatile long haltWaitMs;

  /** Counted down once the recorder replayed the hand-over's list: a halt during start-up waits. */
  private final CountDownLatch handedOver = new CountDownLatch(1);

  /**
   * Set once by the agent in {@code premain}: which hooks report that the JVM halts next. No
   * shutdown hook runs after a halt, and what this buffer holds is replayed only once the recorder
   * takes over: a halt during start-up therefore waits for the hand-over (at most {@code waitMs},
   * then the halt goes ahead) and is handed on to the recorder, which sends the last events before
   * the JVM ends.
   */
  public void halting(boolean[] ids, long waitMs) {
    if (halts.length == 0 && ids != null) {
      haltWaitMs = waitMs;
      halts = ids.clone();
    }
  }

  /** Set once by the agent in {@code premain}, before it weaves: which hooks carry no event. */
  public void contextOnly(boolean[] ids) {
    if (contextOnly.length == 0 && ids != null) {
      contextOnly = ids.clone();
    }
  }

  @Override
  public void observe(int hook, Object a, Object b, int n, Throwable error) {
    boolean[] halt = halts;
    if (hook >= 0 && hook < halt.length && halt[hook]) {
      awaitHandOver();
      TriplineDispatcher live = this.live;
      if (live != null) {
        live.observe(hook, a, b, n, error);
      }
      return;
    }
    boolean[] skip = contextOnly;
    if (hook >= 0 && hook < skip.length && skip[hook]) {
      TriplineDispatcher live = this.live;
      if (live != null) {
        live.observe(hook, a, b, n, error); // after the hand-over: the recorder's
      }
      return;
    }
    int f = foldSlot(hook, a);
    Observation seen = recent.get(f);
    if (seen != null && seen.sameAs(hook, a, b, n, error)) {
      seen.repeats.incrementAndGet();
      return;
    }
    int e = error == null ? -1 : errors.getAndIncrement();
    if (e >= ERROR_SHARE) {
      liveOrDropped(hook, a, b, n, error);
      return;
    }
    int i = claimed.getAndIncrement();
    if (i >= CAPACITY) {
      liveOrDropped(hook, a, b, n, error);
      return;
    }
    List<StackWalker.StackFrame> frames =
        e < ERROR_STACKS && stacks.getAndIncrement() < WITH_STACK
            ? WALKER.walk(new FirstFrames(framesLeft))
            : List.of();
    Observation o =
        new Observation(
            hook, a, b, n, error, Thread.currentThread(), frames, System.currentTimeMillis());
    slots.set(i, o);
    recent.set(f, o);
  }

  /**
   * Past the buffer's room: after the hand-over (the buffer was closed under a caller that had read
   * the latch just before) the sealed recorder takes it live; before, it is counted as dropped.
   */
  private void liveOrDropped(int hook, Object a, Object b, int n, Throwable error) {
    TriplineDispatcher live = this.live;
    if (live != null) {
      live.observe(hook, a, b, n, error);
    } else {
      dropped.incrementAndGet();
    }
  }

  /**
   * The fold index of (hook, target): a String target (a path) by content, anything else by
   * identity (never the application's own hashCode).
   */
  private static int foldSlot(int hook, Object a) {
    int h = a instanceof String ? a.hashCode() : System.identityHashCode(a);
    h = h * 31 + hook;
    return (h ^ (h >>> 16)) & (FOLD_SLOTS - 1);
  }

  /**
   * What was buffered from {@code from} on, in order, while the buffer goes on buffering: the
   * recorder replays it before it takes over, so that what happened first is reported first.
   */
  public List<Observation> drain(int from) {
    int n = Math.min(claimed.get(), CAPACITY);
    List<Observation> out = new ArrayList<>(Math.max(0, n - from));
    for (int i = from;
        i < n && slots.get(i) != null;
        i++) { // stops at a slot still being filled: from + size stays exact
      Observation o = slots.getAndSet(i, null);
      o.taken = true; // replayed from now on: repeats go to a new observation
      out.add(o);
    }
    return out;
  }

  /**
   * Closes the buffer once {@code recorder} is sealed in ({@code TriplineGate.seal}) and returns
   * what was buffered from {@code from} on, in order. An observation racing with the hand-over
   * either lands in the list or goes to the recorder live.
   */
  public List<Observation> handOver(int from, TriplineDispatcher recorder) {
    live = recorder; // before the buffer closes: whoever finds it closed finds the recorder
    int n = Math.min(claimed.getAndSet(CAPACITY), CAPACITY);
    List<Observation> out = new ArrayList<>(Math.max(0, n - from));
    for (int i = from; i < n; i++) {
      Observation o = slots.get(i);
      for (int spin = 0; o == null && spin < 1_000; spin++) {
        pause(); // a slot claimed a moment ago is being filled
        o = slots.get(i);
      }
      if (o != null) {
        o.taken = true;
        out.add(o);
        slots.set(i, null);
      } else {
        dropped.incrementAndGet();
      }
    }
    return out;
  }

  /**
   * The recorder replayed what {@link #handOver} returned: everything this buffer held is the
   * recorder's now, and a halt waiting for it goes on.
   */
  public void replayed() {
    handedOver.countDown();
  }

  /** Waits until {@link #replayed}, at most {@code halt.wait}; an interrupt ends the wait. */
  private void awaitHandOver() {
    long wait = haltWaitMs;
    if (wait <= 0 || handedOver.getCount() == 0) {
      return;
    }
    try {
      handedOver.await(wait, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the halt goes ahead
    }
  }

  /** Observations that found the buffer full. */
  public long dropped() {
    return dropped.get();
  }

  /** One buffered call of {@link TriplineDispatcher#observe}, with where and when it happened. */
  public static final class Observation {
    public final int hook;
    public final Object a;
    public final Object b;
    public final int n;
    public final Throwable error;
    public final Thread thread;
    public final List<StackWalker.StackFrame> frames;
    public final long timeMs;

    /** Repeats folded into this observation while it waited (replayed as as many more). */
    final AtomicInteger repeats = new AtomicInteger();

    /** Handed to the recorder: a repeat no longer folds into it. */
    volatile boolean taken;

    Observation(
        int hook,
        Object a,
        Object b,
        int n,
        Throwable error,
        Thread thread,
        List<StackWalker.StackFrame> frames,
        long timeMs) {
      this.hook = hook;
      this.a = a;
      this.b = b;
      this.n = n;
      this.error = error;
      this.thread = thread;
      this.frames = frames;
      this.timeMs = timeMs;
    }

    /** Repeats folded into this one: the recorder replays it 1 + repeats times. */
    public int repeats() {
      return repeats.get();
    }

    /**
     * The same hook, target (a String by content, else the same object) and outcome, not yet
     * replayed.
     */
    boolean sameAs(int hook, Object a, Object b, int n, Throwable error) {
      return !taken
          && this.hook == hook
          && this.n == n
          && same(this.a, a)
          && same(this.b, b)
          && (this.error == null
              ? error == null
              : error != null && this.error.getClass() == error.getClass());
    }

    private static boolean same(Object x, Object y) {
      return x == y || (x instanceof String && x.equals(y));
    }
  }

  /**
   * The innermost frames, as many as the budget allows. A named class rather than a lambda: no
   * invokedynamic bootstrap under a hook.
   */
  private static final class FirstFrames
      implements Function<Stream<StackWalker.StackFrame>, List<StackWalker.StackFrame>> {
    private final AtomicInteger framesLeft;

    FirstFrames(AtomicInteger framesLeft) {
      this.framesLeft = framesLeft;
    }

    @Override
    public List<StackWalker.StackFrame> apply(Stream<StackWalker.StackFrame> s) {
      int limit = Math.max(SHALLOW_FRAMES, Math.min(MAX_FRAMES, framesLeft.get()));
      List<StackWalker.StackFrame> out = new ArrayList<>(Math.min(limit, 64));
      Iterator<StackWalker.StackFrame> it = s.iterator();
      while (it.hasNext() && out.size() < limit) {
        out.add(it.next());
      }
      if (out.size() > SHALLOW_FRAMES) {
        framesLeft.addAndGet(SHALLOW_FRAMES - out.size());
      }
      return out;
    }
  }

  /**
   * Lets the writer that claimed a slot a moment ago finish it: at most 1000 yields per slot, once,
   * at hand-over.
   */
  @SuppressWarnings("ThreadPriorityCheck")
  private static void pause() {
    Thread.yield();
  }
}
