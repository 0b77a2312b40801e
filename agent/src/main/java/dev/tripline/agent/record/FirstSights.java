package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.CodeLocations;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.RequestContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * Where a new behaviour's event is born, across the agent's thread boundary. On the application
 * thread, {@link #first} takes what only that thread can see — the stack, walked once to its root
 * but not named — and makes a draft occurrence of it. On the pipeline thread, before the first
 * send, {@link #complete} names the call site (method, line, source file, jar), finds the context
 * frames and the hand-off submitter, and builds the event: the same work as before, moved off the
 * application's time.
 *
 * <p>Bounded: drafts waiting for the pipeline thread hold at most {@value #MAX_DRAFT_FRAMES} frames
 * in all (a few MiB); past that, a new draft is completed at once on its own thread, as every first
 * sight was before.
 */
@NullMarked
final class FirstSights {
  static final int MAX_DRAFT_FRAMES = 32_768;

  private final EventRecorder recorder;
  private final AgentStats stats;
  private final Caps caps;
  private final ContextFrames contextFrames;
  private final HandoffSites handoffs;
  private final RequestContexts requests;

  /** Frames held by drafts not yet completed. */
  private final AtomicInteger draftFrames = new AtomicInteger();

  FirstSights(
      EventRecorder recorder,
      AgentStats stats,
      Caps caps,
      ContextFrames contextFrames,
      HandoffSites handoffs,
      RequestContexts requests) {
    this.recorder = recorder;
    this.requests = requests;
    this.stats = stats;
    this.caps = caps;
    this.contextFrames = contextFrames;
    this.handoffs = handoffs;
  }

  /**
   * The new occurrence of {@code described}, on the thread that made it (or, for a replayed early
   * observation, with the thread, frames and time it was seen with).
   */
  Occurrence first(
      FirstSight.Target described,
      @Nullable Throwable error,
      EarlyBuffer.@Nullable Observation early,
      long now) {
    Thread t = early != null ? early.thread : Thread.currentThread();
    List<StackWalker.StackFrame> frames = early != null ? early.frames : CallSites.frames();
    // Read now: the server recycles the request afterwards.
    RequestContext request = early == null ? requests.current() : null;
    FirstSight draft =
        new FirstSight(
            described,
            frames,
            t.getName(),
            CallSites.isVirtual(t),
            now,
            error == null ? null : error.getClass().getName(),
            early != null,
            request,
            this);
    Occurrence o = new Occurrence(draft, now);
    if (draftFrames.addAndGet(frames.size()) > MAX_DRAFT_FRAMES) {
      o.template(); // the pipeline thread is far behind: named here, memory stays bounded
    }
    return o;
  }

  /** Frames no longer held by a draft. */
  void released(int frames) {
    draftFrames.addAndGet(-frames);
  }

  /** Frames held by drafts not yet completed: for tests. */
  int draftFrames() {
    return draftFrames.get();
  }

  /**
   * The event as first seen: the described target with its call site, context frames, thread and
   * time. Deterministic: completing the same draft twice gives equal events.
   */
  Event complete(FirstSight s) {
    try {
      return named(s);
    } catch (RuntimeException | LinkageError e) {
      // counted; the event still goes out, with the target and without the call site
      stats.error();
      return times(s.described().toBuilder(), s).build();
    }
  }

  private Event named(FirstSight s) {
    CallSites.Captured stack = CallSites.capture(s.frames, contextFrames);
    CallSite site = handoffs.orSubmitter(caps.callSite(stack.site), s.described());
    Event.Builder e = s.described().toBuilder();
    RequestContext request =
        s.request != null ? s.request : handoffs.submitterRequest(site, s.described());
    if (request != null) {
      e.setRequest(request); // its own, or that of the code that handed the work over
    }
    if (stack.noOrigin != null && !s.replayed && s.described().getKind() != EventKind.CODE_ORIGIN) {
      noOrigin(stack.noOrigin, site, s);
    }
    return times(e.setCallSite(site).addAllContexts(caps.contexts(stack.contexts)), s).build();
  }

  /** Outcome, thread and time of a first sight. */
  private Event.Builder times(Event.Builder e, FirstSight s) {
    e.setSuccess(s.error == null)
        .setCount(1)
        .setFirstSeenMs(s.timeMs)
        .setLastSeenMs(s.timeMs)
        .setFirstOccurrence(true)
        .setThreadName(caps.cap(s.threadName))
        .setVirtualThread(s.virtual);
    if (s.error != null) {
      e.setError(caps.cap(s.error));
    }
    return e;
  }

  /**
   * A class with no origin on disk did I/O (it is the call site of a new event): one CODE_ORIGIN
   * event per class, keyed apart from jar paths.
   */
  private void noOrigin(Class<?> type, CallSite site, FirstSight s) {
    String key = "\u0000class " + type.getName();
    Cache<Object, Occurrence> cache = recorder.targets(EventKind.CODE_ORIGIN, null);
    if (cache.getIfPresent(key) != null) {
      return;
    }
    Event.Builder e =
        Event.newBuilder()
            .setKind(EventKind.CODE_ORIGIN)
            .setCode(
                CodeTarget.newBuilder()
                    .setOrigin(site.getOrigin())
                    .setClassName(caps.cap(type.getName()))
                    .setDefinedBy(caps.cap(CodeLocations.definedBy(type)))
                    .setLoader(caps.cap(CodeLocations.loaderName(type.getClassLoader()))))
            .setCallSite(site)
            .setSuccess(true)
            .setCount(1)
            .setFirstSeenMs(s.timeMs)
            .setLastSeenMs(s.timeMs)
            .setFirstOccurrence(true)
            .setThreadName(caps.cap(s.threadName));
    Occurrence o = new Occurrence(e.build(), s.timeMs);
    if (cache.asMap().putIfAbsent(key, o) == null) {
      recorder.handOver(o);
    }
  }
}
