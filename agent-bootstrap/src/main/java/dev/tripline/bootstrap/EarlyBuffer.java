package dev.tripline.bootstrap;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
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
 */
public final class EarlyBuffer implements TriplineDispatcher {
  public static final int CAPACITY = 8192;
  public static final int WITH_STACK = 2048;

  /**
   * Frames kept per observation (innermost first): the call site and the context frames lie within
   * them in practice. With {@link #WITH_STACK} this bounds the buffer to a few MiB at worst.
   */
  public static final int MAX_FRAMES = 32;

  private static final StackWalker WALKER =
      StackWalker.getInstance(
          EnumSet.of(
              StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_REFLECT_FRAMES));

  private final AtomicReferenceArray<Observation> slots = new AtomicReferenceArray<>(CAPACITY);
  private final AtomicInteger claimed = new AtomicInteger();

  /** Observations lost: every one once the buffer is full, from any thread. */
  private final AtomicLong dropped = new AtomicLong();

  @Override
  public void observe(int hook, Object a, Object b, int n, Throwable error) {
    int i = claimed.getAndIncrement();
    if (i >= CAPACITY) {
      TriplineDispatcher live = TriplineBridge.live();
      if (live != null) {
        live.observe(hook, a, b, n, error); // read the latch just before the hand-over: pass it on
      } else {
        dropped.incrementAndGet();
      }
      return;
    }
    List<StackWalker.StackFrame> frames =
        i < WITH_STACK ? WALKER.walk(new FirstFrames()) : List.of();
    slots.set(
        i,
        new Observation(
            hook, a, b, n, error, Thread.currentThread(), frames, System.currentTimeMillis()));
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
      out.add(slots.getAndSet(i, null));
    }
    return out;
  }

  /**
   * Closes the buffer once the recorder is sealed in ({@link TriplineBridge#seal}) and returns what
   * was buffered from {@code from} on, in order. An observation racing with the hand-over either
   * lands in the list or goes to the recorder live.
   */
  public List<Observation> handOver(int from) {
    int n = Math.min(claimed.getAndSet(CAPACITY), CAPACITY);
    List<Observation> out = new ArrayList<>(Math.max(0, n - from));
    for (int i = from; i < n; i++) {
      Observation o = slots.get(i);
      for (int spin = 0; o == null && spin < 1_000; spin++) {
        pause(); // a slot claimed a moment ago is being filled
        o = slots.get(i);
      }
      if (o != null) {
        out.add(o);
        slots.set(i, null);
      } else {
        dropped.incrementAndGet();
      }
    }
    return out;
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
  }

  /** A named class rather than a lambda: no invokedynamic bootstrap under a hook. */
  private static final class FirstFrames
      implements Function<Stream<StackWalker.StackFrame>, List<StackWalker.StackFrame>> {
    @Override
    public List<StackWalker.StackFrame> apply(Stream<StackWalker.StackFrame> s) {
      List<StackWalker.StackFrame> out = new ArrayList<>(MAX_FRAMES);
      Iterator<StackWalker.StackFrame> it = s.iterator();
      while (it.hasNext() && out.size() < MAX_FRAMES) {
        out.add(it.next());
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
