package dev.tripline.agent.record;

import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * Protect mode's candidate events: a guarded call at its ENTRY, described exactly as the recorder
 * would describe its first sight (same describer, filters, caps, call site and context frames), so
 * the judge sees what the collector will see. Built on the application thread, named at once (the
 * judge needs the call site and the context frames now), and only when protection is on and the
 * target's verdict is not cached yet: never on the repeat path.
 */
@NullMarked
public final class EntryCandidates {
  private static final String JAVA_HOME = javaHome();

  private final EventRecorder recorder;
  private final EventDescriber describer;
  private final Caps caps;
  private final ContextFrames contextFrames;
  private final HandoffSites handoffs;
  private final LongSupplier clock;

  EntryCandidates(
      EventRecorder recorder,
      EventDescriber describer,
      Caps caps,
      ContextFrames contextFrames,
      HandoffSites handoffs,
      LongSupplier clock) {
    this.recorder = recorder;
    this.describer = describer;
    this.caps = caps;
    this.contextFrames = contextFrames;
    this.handoffs = handoffs;
    this.clock = clock;
  }

  /**
   * The event this call would be, or null when it is not judged: filtered out by the agent's
   * exclusions, a read of the JDK's own files (under {@code java.home}: time zones, certificates,
   * security policy), or an I/O of class loading (a class loader's frame on the stack: jars and
   * class files are opened by the JDK for the code it loads, never refused — for files only: a
   * remote code base fetched by a class loader is a connect like any other).
   *
   * @param target a path, an {@code InetAddress} (with {@code port}), a Unix socket path or argv
   * @param extra what the describer takes beside it (a rename's new path, a spawn's directory)
   */
  public Event.@Nullable Builder candidate(
      EventKind kind, Object target, @Nullable Object extra, int port) {
    Event.Builder e = described(kind, target, extra, port);
    return e == null ? null : onStack(kind, e);
  }

  /**
   * The first half of {@link #candidate}, what depends on the target alone: the event described, or
   * null when it is never judged whatever code makes the call (the agent's canary, the JDK's own
   * files, the agent's exclusions).
   */
  public Event.@Nullable Builder described(
      EventKind kind, Object target, @Nullable Object extra, int port) {
    if (target instanceof String && recorder.canary().is((String) target)) {
      return null; // the agent's own probe of its dispatch path
    }
    if (kind == EventKind.FILE_READ
        && target instanceof String
        && !JAVA_HOME.isEmpty()
        && ((String) target).startsWith(JAVA_HOME)) {
      return null;
    }
    Event.Builder e = describer.describe(kind, target, extra, port);
    if (e == null) {
      return null;
    }
    if (kind == EventKind.FILE_READ
        && e.getFile().getRealPath().startsWith(JAVA_HOME)
        && !JAVA_HOME.isEmpty()) {
      return null;
    }
    return e;
  }

  /**
   * The second half, what depends on the code on the stack: {@code described} with its call site
   * and context frames, or null for a file opened by class loading (never judged, for this call
   * only: the same file opened by other code is).
   */
  public Event.@Nullable Builder onStack(EventKind kind, Event.Builder described) {
    List<StackWalker.StackFrame> frames = CallSites.frames();
    if (isFile(kind) && loadingCode(frames)) {
      return null;
    }
    CallSites.Captured stack = CallSites.capture(frames, contextFrames);
    CallSite site = handoffs.orSubmitter(caps.callSite(stack.site), described);
    long now = clock.getAsLong();
    Thread t = Thread.currentThread();
    return described
        .setCallSite(site)
        .addAllContexts(caps.contexts(stack.contexts))
        .setCount(1)
        .setFirstSeenMs(now)
        .setLastSeenMs(now)
        .setFirstOccurrence(true)
        .setThreadName(caps.cap(t.getName()))
        .setVirtualThread(CallSites.isVirtual(t));
  }

  /**
   * The context categories on the current thread's stack ({@link ContextFrames#onStack}): what a
   * verdict that reads them is reused under.
   */
  public long contextsOnStack() {
    return contextFrames.onStack();
  }

  /**
   * The mask bits of the categories the context frame count covers ({@link ContextFrames#COUNTED}).
   */
  public long countedMask() {
    return contextFrames.countedMask();
  }

  /**
   * Whether the context frame count covers every frame of its categories: not when {@code
   * context.frames} adds classes to them (those are not woven).
   */
  public boolean countable() {
    return contextFrames.extendsCounted().isEmpty();
  }

  /** The {@code context.frames} entries that make the context frame count useless (see above). */
  public List<String> uncounted() {
    return contextFrames.extendsCounted();
  }

  /** True when a class loader is on the current thread's stack (see {@link #loadingCode(List)}). */
  public boolean loadingCode() {
    return loadingCode(CallSites.frames());
  }

  /** Whether {@code kind} is one of the file kinds class loading is excused from. */
  public static boolean isFile(EventKind kind) {
    return kind == EventKind.FILE_READ
        || kind == EventKind.FILE_WRITE
        || kind == EventKind.FILE_DELETE
        || kind == EventKind.FILE_RENAME;
  }

  /** A Unix domain socket address's path (a SocketAddress, Path or String), or null. */
  public static @Nullable String unixPath(@Nullable Object target) {
    return UnixSockets.path(target);
  }

  /** Sends {@code event} (a judged call, with its disposition) as a first sight of its own. */
  public void report(Event event) {
    recorder.handOver(new Occurrence(event, event.getFirstSeenMs()));
  }

  /**
   * A class loader is on the stack: the JDK opening a jar or a class file for code it loads, or a
   * loader's own resource lookups. Matched by the JDK's loader classes, which the application
   * cannot define.
   */
  static boolean loadingCode(List<StackWalker.StackFrame> frames) {
    for (StackWalker.StackFrame f : frames) {
      Class<?> c = f.getDeclaringClass();
      if (c.getClassLoader() != null) {
        continue; // an application's class (its own loader subclass included) proves nothing
      }
      String n = c.getName();
      if (n.equals("java.lang.ClassLoader")
          || n.startsWith("jdk.internal.loader.")
          || n.equals("java.net.URLClassLoader")
          || n.equals("java.security.SecureClassLoader")
          || n.equals("java.lang.System$2") // JavaLangAccess.defineClass & co.
          || n.startsWith("jdk.internal.module.")) {
        return true;
      }
    }
    return false;
  }

  private static String javaHome() {
    String home = System.getProperty("java.home", "");
    return home.isEmpty() ? "" : home.endsWith("/") ? home : home + "/";
  }
}
