package dev.tripline.agent.record;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * Caffeine's upkeep of the recorder's caches — applying buffered writes, evicting past the bound
 * and counting what an eviction lost — run by the pipeline thread on its tick ({@link #run}), not
 * by the application thread whose write asked for it. A first sight per operation (a distinct
 * destination each time) otherwise paid an eviction per insert on the application's time.
 *
 * <p>Each cache gets an executor holding at most one waiting task (Caffeine schedules its upkeep
 * once until it has run). Memory stays bounded without the pipeline thread: a cache whose write
 * buffer fills does the upkeep itself on the writing thread (Caffeine's own fallback), and any
 * other task is run at once. Holding a waiting task allocates nothing.
 */
@NullMarked
final class CacheUpkeep {
  private final List<Deferred> executors = new CopyOnWriteArrayList<>();

  /** An executor for one more cache (built on first use of a kind: rare). */
  Executor executor() {
    Deferred d = new Deferred();
    executors.add(d);
    return d;
  }

  /** Runs the upkeep the caches asked for since the last call: the pipeline thread's tick. */
  void run() {
    for (Deferred d : executors) {
      Runnable task = d.getAndSet(null);
      if (task != null) {
        task.run();
      }
    }
  }

  @SuppressWarnings("serial") // never serialised
  private static final class Deferred extends AtomicReference<@Nullable Runnable>
      implements Executor {
    @Override
    public void execute(Runnable task) {
      if (!compareAndSet(null, task) && get() != task) {
        task.run(); // another task than the one waiting: at once, as with a direct executor
      }
    }
  }
}
