package dev.tripline.agent.record;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.RequestContext;
import org.jspecify.annotations.Nullable;

/**
 * The inbound request each thread is serving (docs/detection.md "Request context"). A server's
 * request hook opens a scope ({@link #enter}) and closes it ({@link #exit}); nested scopes of the
 * same request (a servlet forwarding to another, the JDK server's filter chain) keep the outermost.
 * On the request path that is a thread-local read and two field writes per request; the slot itself
 * is set once per thread. The request's fields are read only when an event is recorded inside the
 * scope ({@link #current}), on that thread, while the server still holds them.
 *
 * <p>Closing the outermost scope forgets the request, so the next request served on a pooled thread
 * never carries the last one.
 */
final class RequestContexts {
  /** One thread's request: mutated by that thread only. */
  static final class Slot {
    @Nullable Object request;

    /** WebFlux's matched exchange, when its handler mapping named one inside the scope. */
    @Nullable Object routed;

    int depth;

    /** This request's context as read for a hand-off: read once per request, at its first. */
    @Nullable RequestContext handedOver;

    /**
     * The requests of the handed-over tasks this thread is running, innermost last ({@link
     * HandedOverRequests}); null until its first.
     */
    @Nullable RequestContext @Nullable [] adopted;

    /** The tasks of {@link #adopted}, at the same depths. */
    @Nullable Object @Nullable [] adoptedTasks;

    int adoptedDepth;

    /** The request of the executor task this pooled thread runs now (replaced at each task). */
    @Nullable RequestContext task;

    /**
     * Inside an executor's task (between its before and after); {@link #taskBase}: at which depth.
     */
    boolean inTask;

    int taskBase;
  }

  private static final ThreadLocal<Slot> SLOT = new ThreadLocal<>();

  private final @Nullable AgentStats stats;
  private final RequestFields fields;

  RequestContexts(@Nullable AgentStats stats) {
    this.stats = stats;
    this.fields = new RequestFields(stats);
  }

  void enter(@Nullable Object request) {
    if (request == null) {
      return;
    }
    Slot s = SLOT.get();
    if (s == null) {
      s = new Slot();
      SLOT.set(s); // once per thread
    }
    if (s.depth++ == 0) {
      s.request = request;
      s.routed = null;
      s.handedOver = null;
    }
  }

  void exit(@Nullable Object request) {
    if (request == null) {
      return;
    }
    Slot s = SLOT.get();
    if (s != null && s.depth > 0 && --s.depth == 0) {
      s.request = null;
      s.routed = null;
      s.handedOver = null;
    }
  }

  void routed(@Nullable Object exchange) {
    Slot s = SLOT.get();
    if (exchange != null && s != null && s.depth > 0) {
      s.routed = exchange;
      s.handedOver = null; // read again with the route
    }
  }

  /** Whether this thread is inside a request's scope: for tests. */
  static boolean active() {
    Slot s = SLOT.get();
    return s != null && s.depth > 0;
  }

  /**
   * The context of the request this thread is serving, read now and capped; null outside a request,
   * or when the server's object cannot be read (counted as an agent error, never thrown).
   */
  @Nullable RequestContext current() {
    Slot s = SLOT.get();
    if (s == null) {
      return null;
    }
    Object request = s.depth == 0 ? null : s.request;
    if (request == null) {
      return adopted(s);
    }
    return read(s, request);
  }

  /**
   * What a task handed to another thread now carries: the request this thread serves (read once per
   * request), else the one it runs a handed-over task for; null outside both, at the cost of one
   * thread-local read.
   */
  @Nullable RequestContext forHandoff() {
    Slot s = SLOT.get();
    if (s == null) {
      return null;
    }
    Object request = s.depth == 0 ? null : s.request;
    if (request == null) {
      return adopted(s);
    }
    RequestContext c = s.handedOver;
    if (c == null) {
      c = read(s, request);
      s.handedOver = c;
    }
    return c;
  }

  /**
   * The request of the handed-over work this thread runs, innermost first; null when none: a task
   * run inside the executor's current one, else that task's.
   */
  private static @Nullable RequestContext adopted(Slot s) {
    @Nullable RequestContext[] stack = s.adopted;
    if (stack != null && s.adoptedDepth > s.taskBase) {
      return stack[Math.min(s.adoptedDepth, stack.length) - 1];
    }
    return s.inTask || stack == null || s.adoptedDepth == 0
        ? s.task
        : stack[Math.min(s.adoptedDepth, stack.length) - 1];
  }

  /**
   * A handed-over task starts ({@code request} = what it was handed over with, maybe null) on this
   * thread: until {@link #endAdopted}, what it does carries that request. Nested (a fork-join task
   * run inside another) the inner one's counts; a thread that adopted nothing yet and gets a task
   * with no request pays one thread-local read.
   */
  static void beginAdopted(Object task, @Nullable RequestContext request) {
    Slot s = SLOT.get();
    if (request == null && (s == null || s.adoptedDepth == 0)) {
      return; // nothing to carry, nothing to hide
    }
    if (s == null) {
      s = new Slot();
      SLOT.set(s);
    }
    @Nullable RequestContext[] stack = s.adopted;
    @Nullable Object[] tasks = s.adoptedTasks;
    if (stack == null || tasks == null) {
      stack = new RequestContext[MAX_ADOPTED];
      tasks = new Object[MAX_ADOPTED];
      s.adopted = stack;
      s.adoptedTasks = tasks;
    }
    int top = Math.min(s.adoptedDepth, MAX_ADOPTED) - 1;
    if (request == null && top >= 0 && tasks[top] == task) {
      request = stack[top]; // the same task's inner layer (a fork-join task's run inside doExec)
    }
    if (s.adoptedDepth < MAX_ADOPTED) {
      stack[s.adoptedDepth] = request;
      tasks[s.adoptedDepth] = task;
    }
    s.adoptedDepth++;
  }

  /** The innermost handed-over task started on this thread ended. */
  static void endAdopted() {
    Slot s = SLOT.get();
    if (s == null || s.adoptedDepth == 0) {
      return;
    }
    @Nullable RequestContext[] stack = s.adopted;
    @Nullable Object[] tasks = s.adoptedTasks;
    if (--s.adoptedDepth < MAX_ADOPTED && stack != null && tasks != null) {
      stack[s.adoptedDepth] = null; // never kept for the thread's next task
      tasks[s.adoptedDepth] = null;
    }
  }

  /**
   * An executor's pooled thread starts a task ({@code request}, maybe null): replaces the last
   * task's, so a task never carries the request of the one before it, even when an executor's
   * subclass skips the end of the task.
   */
  static void executorTask(@Nullable RequestContext request, boolean start) {
    Slot s = SLOT.get();
    if (s == null) {
      if (request == null) {
        return;
      }
      s = new Slot();
      SLOT.set(s);
    }
    s.task = request;
    s.inTask = start;
    s.taskBase = s.adoptedDepth;
  }

  /** Nesting kept for handed-over tasks run inside each other; deeper ones share the last. */
  private static final int MAX_ADOPTED = 8;

  private @Nullable RequestContext read(Slot s, Object request) {
    try {
      RequestReader.Raw raw = RequestReader.read(request);
      if (raw == null) {
        return null;
      }
      Object route = raw.route;
      Object routed = s.routed;
      if (route == null && routed != null) {
        route = RequestReader.webfluxRoute(routed);
      }
      RequestContext.Builder b = RequestContext.newBuilder().setServer(raw.server);
      fields.method(b, raw.method);
      fields.route(b, route);
      fields.path(b, raw.path);
      fields.query(b, raw.query);
      fields.client(b, raw.client);
      b.setServerPort(Math.max(0, raw.port));
      fields.forwarded(b, raw.xForwardedFor, raw.forwarded);
      fields.traceparent(b, raw.traceparent);
      return b.build();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      if (stats != null) stats.error();
      return null;
    }
  }
}
