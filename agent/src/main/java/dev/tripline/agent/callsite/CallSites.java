package dev.tripline.agent.callsite;

import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Finds the Java frame that caused an event: the first frame that is neither JDK nor agent code,
 * with the jar its class came from, and the context frames on the way ({@link ContextFrames}). Only
 * called for events not seen before and for sampled repeats (a stack walk costs microseconds; a
 * repeat must cost nanoseconds).
 */
public final class CallSites {
  /** Frames kept above the call site. */
  private static final int EXTRA_FRAMES = 4;

  /**
   * Hidden frames shown: a hidden class doing I/O is the call site, not its caller (a default
   * walker skips it and blames whoever called it). Lambda proxies are skipped by {@link
   * #isApplicationFrame}.
   */
  private static final StackWalker WALKER =
      StackWalker.getInstance(
          EnumSet.of(
              StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

  /**
   * For context frames: {@code Method.invoke} is a reflection frame, which a default walker hides
   * (SHOW_HIDDEN_FRAMES shows reflection frames too).
   */
  private static final StackWalker CONTEXT_WALKER = WALKER;

  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  /** Null before JDK 21 (no virtual threads). */
  private static final @Nullable MethodHandle IS_VIRTUAL = isVirtualHandle();

  /** Code location per class, named once (ClassValue: no leak when the class is unloaded). */
  private static final ClassValue<CodeLocations.Named> LOCATION =
      new ClassValue<>() {
        @Override
        protected CodeLocations.Named computeValue(Class<?> type) {
          return CodeLocations.of(type);
        }
      };

  /**
   * The root frames of pool and worker threads: the I/O runs a task that another thread handed
   * over.
   */
  private static final @Nullable Class<?> EXECUTOR_WORKER =
      jdkClass("java.util.concurrent.ThreadPoolExecutor$Worker");

  private static final @Nullable Class<?> FORK_JOIN_WORKER =
      jdkClass("java.util.concurrent.ForkJoinWorkerThread");
  private static final @Nullable Class<?> VIRTUAL_THREAD = jdkClass("java.lang.VirtualThread");
  public static final String EXECUTOR = "executor";
  public static final String FORK_JOIN = "fork-join";
  public static final String VIRTUAL = "virtual-thread";

  /**
   * A Netty event loop (Reactor Netty, WebClient, WebFlux, gRPC, Lettuce…): the thread's root is
   * Netty's executor.
   */
  public static final String EVENT_LOOP = "event-loop";

  private static final String NETTY_EXECUTOR = "io.netty.util.concurrent.SingleThreadEventExecutor";

  /**
   * A platform thread's hand-off label, found once from its root frames (they do not change while
   * it lives): the short walk of {@link #site()} stops at the call site and cannot see them.
   */
  private static final ThreadLocal<String> THREAD_HANDOFF =
      ThreadLocal.withInitial(CallSites::walkHandoff);

  private CallSites() {}

  /**
   * What one stack walk found: the call site, and the context frames met on the way (often none).
   */
  public static final class Captured {
    public final CallSite site;
    public final List<CodeContext> contexts;

    /**
     * The call site's class when it has no origin on disk ({@code site.getOrigin()}), else null.
     */
    public final @Nullable Class<?> noOrigin;

    Captured(CallSite site, List<CodeContext> contexts, @Nullable Class<?> noOrigin) {
      this.site = site;
      this.contexts = contexts;
      this.noOrigin = noOrigin;
    }
  }

  /**
   * The call site of the current thread's operation (an empty CallSite when all frames are JDK),
   * and the context frames of {@code table} anywhere on the stack. One walk, to the thread's root:
   * the outermost frame of each category is the one that names who started it.
   */
  public static Captured capture(ContextFrames table) {
    return CONTEXT_WALKER.walk(frames -> scan(frames.iterator(), table));
  }

  /**
   * The current thread's whole stack, nothing named yet: what a new behaviour captures on the
   * application thread. {@link #capture(List, ContextFrames)} gives the same call site and context
   * frames from them later, on the pipeline thread (naming a frame's method, line and jar costs
   * more than the walk).
   */
  public static List<StackWalker.StackFrame> frames() {
    return CONTEXT_WALKER.walk(ALL_FRAMES);
  }

  private static final java.util.function.Function<
          java.util.stream.Stream<StackWalker.StackFrame>, List<StackWalker.StackFrame>>
      ALL_FRAMES = s -> s.collect(Collectors.toList());

  /**
   * As {@link #capture(ContextFrames)}, over frames walked earlier (with RETAIN_CLASS_REFERENCE and
   * SHOW_REFLECT_FRAMES), innermost first, maybe on another thread than the one calling this.
   */
  public static Captured capture(List<StackWalker.StackFrame> frames, ContextFrames table) {
    return scan(frames.iterator(), table);
  }

  /**
   * The call site alone: a walk that stops at it and the few frames kept above it. For sampled
   * repeats, where a new call site is rare and the whole-stack walk would cost on every 1024th.
   */
  public static CallSite site() {
    return site(
        WALKER.walk(
            s ->
                s.filter(CallSites::isApplicationFrame)
                    .limit(EXTRA_FRAMES + 1)
                    .collect(Collectors.toList())),
        currentHandoff());
  }

  /**
   * Whether the JDK's container support ({@code jdk.internal.platform}: the JVM reading its own
   * cgroup limits, for the platform MBeans or the GC) did this, below any application frame. Its
   * reads depend on which code first touched the platform MBean server — the agent's own JMX
   * registration included — so reporting them would make two runs of the same application differ.
   */
  public static boolean isJdkContainerSupport() {
    return WALKER.walk(CallSites::isJdkContainerSupport);
  }

  /** The same, over frames captured earlier. */
  public static boolean isJdkContainerSupport(List<StackWalker.StackFrame> frames) {
    return isJdkContainerSupport(frames.stream());
  }

  private static boolean isJdkContainerSupport(
      java.util.stream.Stream<StackWalker.StackFrame> frames) {
    return frames
        .filter(f -> f.getClassName().startsWith("jdk.internal.platform.") || isApplicationFrame(f))
        .findFirst()
        .map(f -> f.getClassName().startsWith("jdk.internal.platform."))
        .orElse(false);
  }

  /** Frames looked at for the application's own code above a library that hands work over. */
  private static final int SUBMITTER_FRAMES = 64;

  /**
   * The code that handed I/O to another thread, on the submitting thread: the innermost frame of
   * the application's own classes when the deployable's layout says which those are ({@code
   * BOOT-INF/classes}, {@code WEB-INF/classes} — a controller calling Spring's {@code RestClient}),
   * else the innermost non-JDK frame outside the libraries named by {@code skip} (class name
   * prefixes, or null: the client library whose hook asks, and the frameworks around it); an empty
   * call site when there is none. One bounded walk.
   */
  public static CallSite submitter(String @Nullable [] skip) {
    List<StackWalker.StackFrame> app =
        WALKER.walk(
            s ->
                s.filter(CallSites::isApplicationFrame)
                    .limit(SUBMITTER_FRAMES)
                    .collect(Collectors.toList()));
    int first = -1;
    for (int i = 0; i < app.size(); i++) {
      String jar = LOCATION.get(app.get(i).getDeclaringClass()).jarName;
      if (jar.endsWith(" (BOOT-INF/classes)") || jar.endsWith(" (WEB-INF/classes)")) {
        return site(app.subList(i, Math.min(app.size(), i + EXTRA_FRAMES + 1)), "");
      }
      if (first < 0 && !startsWithAny(app.get(i).getClassName(), skip)) {
        first = i;
      }
    }
    return first < 0
        ? CallSite.getDefaultInstance()
        : site(app.subList(first, Math.min(app.size(), first + EXTRA_FRAMES + 1)), "");
  }

  private static boolean startsWithAny(String name, String @Nullable [] prefixes) {
    if (prefixes != null) {
      for (String p : prefixes) {
        if (name.startsWith(p)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The current thread's hand-off label, as {@link #scan} finds it from the root frames. */
  static String currentHandoff() {
    Thread t = Thread.currentThread();
    if (isVirtual(t)) {
      // every virtual thread's root frame is VirtualThread.run: no walk, no thread-local
      return VIRTUAL;
    }
    return THREAD_HANDOFF.get();
  }

  private static String walkHandoff() {
    return WALKER
        .walk(s -> s.map(CallSites::handoff).filter(h -> h != null).reduce((inner, outer) -> outer))
        .orElse("");
  }

  /** The hand-off label a thread's root frame stands for, or null. */
  static @Nullable String handoff(StackWalker.StackFrame f) {
    Class<?> c = f.getDeclaringClass();
    if (c == EXECUTOR_WORKER) {
      return "run".equals(f.getMethodName()) ? EXECUTOR : null;
    }
    if (c == FORK_JOIN_WORKER) {
      return "run".equals(f.getMethodName()) ? FORK_JOIN : null;
    }
    if (c == VIRTUAL_THREAD) {
      return "run".equals(f.getMethodName()) ? VIRTUAL : null;
    }
    // the class name first: a frame's method name is resolved by the VM on first ask, and this
    // runs for every frame of a new behaviour's whole-stack walk
    if (c.getClassLoader() != null
        && f.getClassName().startsWith(NETTY_EXECUTOR)
        && "run".equals(f.getMethodName())) {
      // the Runnable that runs the loop (SingleThreadEventExecutor$4 in 4.1): the thread's root
      return EVENT_LOOP;
    }
    return null;
  }

  private static Captured scan(Iterator<StackWalker.StackFrame> it, ContextFrames table) {
    List<StackWalker.StackFrame> app = new ArrayList<>(EXTRA_FRAMES + 1);
    StackWalker.StackFrame[] contexts = null;
    String handoff = "";
    while (it.hasNext()) {
      StackWalker.StackFrame f = it.next();
      if (app.size() <= EXTRA_FRAMES && isApplicationFrame(f)) {
        app.add(f);
      }
      String h = handoff(f);
      if (h != null) {
        handoff = h; // the walk goes outwards: the last match is the thread's root
      }
      int category = table.match(f);
      if (category >= 0) {
        if (contexts == null) contexts = new StackWalker.StackFrame[table.categories()];
        contexts[category] = f; // the walk goes outwards: the last match is the outermost
      }
    }
    CallSite site = site(app, handoff);
    return new Captured(
        site,
        contexts == null ? List.of() : contexts(contexts, table),
        site.getOrigin().isEmpty() ? null : app.get(0).getDeclaringClass());
  }

  private static List<CodeContext> contexts(StackWalker.StackFrame[] found, ContextFrames table) {
    List<CodeContext> out = new ArrayList<>(2);
    for (int i = 0; i < found.length && out.size() < ContextFrames.MAX_CONTEXTS; i++) {
      StackWalker.StackFrame f = found[i];
      if (f != null) {
        CodeLocations.Named location = LOCATION.get(f.getDeclaringClass());
        out.add(
            CodeContext.newBuilder()
                .setCategory(table.category(i))
                .setFrame(f.getClassName() + "." + f.getMethodName())
                .setJarName(location.jarName)
                .setCodeLocation(location.location)
                .setArchive(location.archive)
                .build());
      }
    }
    return out;
  }

  /**
   * The call site: the innermost application frame and a few above it. On a pool or worker thread
   * that frame is the submitted task's own code, which is what asked for the I/O; {@code handoff}
   * says how it got there. An all-JDK stack gives an empty call site, with no label.
   */
  private static CallSite site(List<StackWalker.StackFrame> frames, String handoff) {
    if (frames.isEmpty()) {
      return CallSite.getDefaultInstance();
    }
    StackWalker.StackFrame top = frames.get(0);
    CodeLocations.Named location = LOCATION.get(top.getDeclaringClass());
    CallSite.Builder b =
        CallSite.newBuilder()
            .setClassName(top.getClassName())
            .setMethodName(top.getMethodName())
            .setLineNumber(top.getLineNumber())
            .setCodeLocation(location.location)
            .setJarName(location.jarName)
            .setArchive(location.archive)
            .setHandoff(handoff)
            .setOrigin(location.origin);
    if (top.getFileName() != null) {
      b.setSourceFile(top.getFileName());
    }
    for (int i = 1; i < frames.size(); i++) {
      StackWalker.StackFrame f = frames.get(i);
      b.addFrames(f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber());
    }
    return b.build();
  }

  static boolean isApplicationFrame(StackWalker.StackFrame f) {
    Class<?> c = f.getDeclaringClass();
    ClassLoader loader = c.getClassLoader();
    if (loader == null || loader == PLATFORM) {
      return false; // the JDK itself
    }
    if (CodeLocations.isLambdaProxy(c)) {
      return false; // forwards only: the lambda's body, or the method referenced, is the code
    }
    String name = c.getName();
    // Reflection's generated accessors (JDK ≤ 17) live in a loader of their own: not application
    // code.
    return !(name.startsWith("dev.tripline.agent.")
        || name.startsWith("dev.tripline.bootstrap.")
        || name.startsWith("jdk.internal.reflect.")
        || name.startsWith("sun.reflect."));
  }

  private static @Nullable Class<?> jdkClass(String name) {
    try {
      return Class.forName(name, false, null);
    } catch (ClassNotFoundException | LinkageError e) {
      return null; // VirtualThread before JDK 19
    }
  }

  /** Thread.isVirtual() exists from JDK 21; the agent runs on 11+. */
  public static boolean isVirtual(Thread t) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(t);
    } catch (Throwable e) {
      return false;
    }
  }

  private static @Nullable MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
