package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.model.RequestContext;
import org.jspecify.annotations.Nullable;

/**
 * The request a task carries to the thread that runs it (docs/detection.md "Request context"): an
 * executor's task, a fork-join task ({@code CompletableFuture.*Async} included), a virtual thread.
 * When the code handing the task over serves a request (or runs a task handed over by one), the
 * task is remembered with that request's context, read then (the server recycles its request
 * afterwards); the thread that runs it adopts it for as long as the task runs, and forgets it
 * after, so the next task on a pooled thread carries only its own.
 *
 * <p>Cost: outside a request, a hand-off is one thread-local read, and running a task one look at
 * whether any task was ever remembered. Bounded: at most {@value #MAX_PENDING} tasks wait (the
 * oldest is forgotten first: a task that waits that long runs without its request), held weakly (a
 * task dropped unrun does not keep its request).
 */
final class HandedOverRequests {
  static final int MAX_PENDING = 10_000;

  private final RequestContexts requests;

  /** Task (or thread) → the request it was handed over for: built at the first such hand-off. */
  private volatile @Nullable Cache<Object, RequestContext> pending;

  HandedOverRequests(RequestContexts requests) {
    this.requests = requests;
  }

  /** {@code task} is handed to another thread, by this one. */
  void handedOver(@Nullable Object task) {
    if (task == null) {
      return;
    }
    RequestContext request = requests.forHandoff();
    if (request != null) {
      table().put(task, request);
    }
  }

  /** {@code task} starts ({@code start}) or ends on this thread, bracketed (it may nest). */
  void runs(@Nullable Object task, boolean start) {
    if (start) {
      if (task != null) {
        RequestContexts.beginAdopted(task, take(task));
      }
    } else {
      RequestContexts.endAdopted();
    }
  }

  /**
   * An executor's pooled thread starts {@code task} ({@code start}) or finished it: what it does in
   * between carries the task's request; a start replaces whatever the last task left.
   */
  void executorTask(@Nullable Object task, boolean start) {
    RequestContexts.executorTask(start ? take(task) : null, start);
  }

  /** The request {@code task} was handed over with, forgotten now (a task runs once); or null. */
  private @Nullable RequestContext take(@Nullable Object task) {
    Cache<Object, RequestContext> p = pending;
    if (p == null || task == null || p.estimatedSize() == 0) {
      return null; // no request handed anything over (yet, or still): the common case
    }
    return p.asMap().remove(task);
  }

  private Cache<Object, RequestContext> table() {
    Cache<Object, RequestContext> p = pending;
    if (p == null) {
      synchronized (this) { // once per JVM, at the first request that hands a task over
        p = pending;
        if (p == null) {
          // weak keys compare by identity: a task's own equals never runs
          p =
              Caffeine.newBuilder()
                  .weakKeys()
                  .maximumSize(MAX_PENDING)
                  .executor(Runnable::run)
                  .build();
          pending = p;
        }
      }
    }
    return p;
  }
}
