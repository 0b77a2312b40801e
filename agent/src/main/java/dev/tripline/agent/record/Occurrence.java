package dev.tripline.agent.record;

import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.RequestContext;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One distinct (kind, target, call site, outcome) this JVM has seen, and the repeats not yet
 * flushed. A repeat costs one atomic increment and a volatile write: no allocation, no lock.
 */
public final class Occurrence {
  /**
   * The event as first seen (target, call site, outcome); counts and times are filled at flush.
   * Null until a first sight's draft is completed ({@link #template()}).
   */
  private volatile @Nullable Event template;

  /**
   * What the application thread captured of a new behaviour (described target, stack walked but not
   * named), until {@link #template()} completes it: null once completed, or when built complete.
   */
  private volatile @Nullable FirstSight draft;

  private static final AtomicReferenceFieldUpdater<Occurrence, Event> TEMPLATE =
      AtomicReferenceFieldUpdater.newUpdater(Occurrence.class, Event.class, "template");

  final AtomicLong pending = new AtomicLong();
  volatile long firstPendingMs;
  volatile long lastSeenMs;

  /**
   * The first occurrence could not be delivered: send it again, flagged first, with the next flush.
   */
  volatile boolean firstUndelivered;

  /** Fell out of the recorder's cache: no longer flushed, so nothing may be counted into it. */
  volatile boolean evicted;

  /**
   * A connect's: the InetAddress object last found to carry this occurrence's host name, so that a
   * repeat with the same object skips comparing names.
   */
  volatile @Nullable Object peer;

  /**
   * A file whose path can change under the application: what it opened first ({@link SwapWatch}).
   */
  volatile SwapWatch.@Nullable Watch watch;

  /** Other call sites seen for this target (sampled); each was sent once as an event of its own. */
  private volatile Occurrence[] otherSites = new Occurrence[0];

  static final int MAX_OTHER_SITES = 8;

  /** Stands in a cache for a target the filters exclude: known, never reported. */
  static final Occurrence IGNORED = new Occurrence(Event.getDefaultInstance(), 0);

  Occurrence(Event template, long now) {
    this.template = template;
    this.lastSeenMs = now;
  }

  /**
   * A first sight not yet named: completed by the pipeline thread, or by whoever reads it first.
   */
  Occurrence(FirstSight draft, long now) {
    this.draft = draft;
    this.lastSeenMs = now;
  }

  /**
   * The event as first seen. A draft is completed on first ask — by the pipeline thread before it
   * sends it, or by a sampled repeat that needs the call site sooner; both build the same event,
   * the first to finish is kept.
   */
  public Event template() {
    Event t = template;
    return t != null ? t : completeDraft();
  }

  private Event completeDraft() {
    FirstSight d = draft;
    if (d != null) {
      if (TEMPLATE.compareAndSet(this, null, d.complete())) {
        draft = null; // the frames can go
        d.done();
      }
    }
    // set before the draft is cleared: one of the two is always there
    return java.util.Objects.requireNonNull(template);
  }

  /**
   * The described target (kind, file, peer…), complete or not: what the application thread's repeat
   * path compares against, without naming the call site.
   */
  Event target() {
    Event t = template;
    if (t != null) {
      return t;
    }
    FirstSight d = draft;
    return d != null ? d.described() : template();
  }

  /** Whether the pipeline thread still has to name this first sight's call site. */
  boolean drafted() {
    return template == null;
  }

  /** Counts a repeat; returns the repeats pending before it (0 for the first of a flush window). */
  long hit(long now) {
    long n = pending.getAndIncrement();
    if (n == 0) {
      firstPendingMs = now;
    }
    lastSeenMs = now;
    return n;
  }

  /**
   * Repeats are keyed by target only (a stack walk per repeat would cost more than the I/O). To
   * still learn of other call sites for the same target, the first {@value #SAMPLED_PER_WINDOW}
   * repeats of every flush window and every 1024th one after it walk the stack: new code reading a
   * file right after the service's own read of it (issue 22) is a repeat of that read, and sampling
   * only the first would miss it. Bounded: at most that many walks per target and window.
   */
  static boolean sampled(long pendingBefore) {
    return pendingBefore < SAMPLED_PER_WINDOW || (pendingBefore & 1023) == 0;
  }

  static final int SAMPLED_PER_WINDOW = 8;

  /**
   * The occurrence for a call site this target has not shown before, or null (same site, known
   * already, or too many). Sampled path only: the lock is never taken on a plain repeat.
   */
  synchronized @Nullable Occurrence otherSite(
      CallSite site,
      Supplier<List<CodeContext>> contexts,
      Supplier<@Nullable RequestContext> request,
      long now) {
    Event template = template();
    if (sameSite(template.getCallSite(), site) || otherSites.length >= MAX_OTHER_SITES) {
      return null;
    }
    for (Occurrence o : otherSites) {
      if (sameSite(o.template().getCallSite(), site)) {
        return null;
      }
    }
    // The sampled repeat moves from this occurrence's count to the new one's.
    for (long p = pending.get(); p > 0 && !pending.compareAndSet(p, p - 1); p = pending.get()) {
      // retry: a concurrent repeat or flush changed the count
    }
    Event.Builder seen = template.toBuilder().clearRequest();
    RequestContext during = request.get();
    if (during != null) {
      seen.setRequest(during); // this repeat's request, not the first sight's
    }
    Occurrence other =
        new Occurrence(
            seen.setCallSite(site)
                .clearContexts()
                .addAllContexts(contexts.get())
                .setCount(1)
                .setFirstSeenMs(now)
                .setLastSeenMs(now)
                .setFirstOccurrence(true)
                .setThreadName(Thread.currentThread().getName())
                .build(),
            now);
    Occurrence[] grown = Arrays.copyOf(otherSites, otherSites.length + 1);
    grown[grown.length - 1] = other;
    otherSites = grown;
    return other;
  }

  Occurrence[] otherSites() {
    return otherSites;
  }

  private static boolean sameSite(CallSite a, CallSite b) {
    return a.getLineNumber() == b.getLineNumber()
        && a.getMethodName().equals(b.getMethodName())
        && a.getClassName().equals(b.getClassName());
  }

  /** Takes the pending repeats for a flush; null when there are none. */
  public @Nullable Event drain() {
    long n = pending.getAndSet(0);
    boolean first = firstUndelivered;
    if (n == 0 && !first) {
      return null;
    }
    firstUndelivered = false;
    Event template = template();
    return template.toBuilder()
        .setCount(
            n + (first ? 1 : 0)) // a first that never went out (queue full, batch lost) counts too
        .setFirstSeenMs(n == 0 ? template.getFirstSeenMs() : firstPendingMs)
        .setLastSeenMs(lastSeenMs)
        .setFirstOccurrence(first)
        .build();
  }

  /** A batch holding this occurrence was lost: fold it back so the next flush carries it. */
  public void undelivered(Event sent) {
    if (sent.getFirstOccurrence()) {
      firstUndelivered = true;
      if (sent.getCount() > 1) {
        pending.addAndGet(sent.getCount() - 1);
      }
    } else {
      pending.addAndGet(sent.getCount());
    }
  }
}
