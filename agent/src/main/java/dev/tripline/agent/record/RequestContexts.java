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
    }
  }

  void routed(@Nullable Object exchange) {
    Slot s = SLOT.get();
    if (exchange != null && s != null && s.depth > 0) {
      s.routed = exchange;
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
    Object request = s == null || s.depth == 0 ? null : s.request;
    if (request == null) {
      return null;
    }
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
