package dev.tripline.agent.pipeline;

import dev.tripline.model.Event;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One distinct (kind, target, call site, outcome) this JVM has seen, and the repeats not yet
 * flushed. A repeat costs one atomic increment and a volatile write: no allocation, no lock.
 */
final class Occurrence {
  /** The event as first seen (target, call site, outcome); counts and times are filled at flush. */
  final Event template;
  final AtomicLong pending = new AtomicLong();
  volatile long firstPendingMs;
  volatile long lastSeenMs;
  /** The first occurrence could not be delivered: send it again, flagged first, with the next flush. */
  volatile boolean firstUndelivered;

  Occurrence(Event template, long now) {
    this.template = template;
    this.lastSeenMs = now;
  }

  void hit(long now) {
    if (pending.getAndIncrement() == 0) {
      firstPendingMs = now;
    }
    lastSeenMs = now;
  }

  /** Takes the pending repeats for a flush; null when there are none. */
  Event drain() {
    long n = pending.getAndSet(0);
    boolean first = firstUndelivered;
    if (n == 0 && !first) {
      return null;
    }
    firstUndelivered = false;
    return template.toBuilder()
        .setCount(Math.max(n, 1))
        .setFirstSeenMs(n == 0 ? template.getFirstSeenMs() : firstPendingMs)
        .setLastSeenMs(lastSeenMs)
        .setFirstOccurrence(first)
        .build();
  }

  /** A batch holding this occurrence was lost: fold it back so the next flush carries it. */
  void undelivered(Event sent) {
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
