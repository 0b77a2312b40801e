package dev.tripline.collector.pipeline;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.ServiceProfile;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The profiles one task saved last, kept parsed beside the very byte array the profiles store was
 * given for them, so that the next batch of a busy service neither parses its profile nor rebuilds
 * its index (a third of what a batch of known behaviour cost).
 *
 * <p>The store stays the truth: a kept profile is used only when the store returns the identical
 * array it was written with ({@code ==}, not equal content). Whatever else put a value there — a
 * restore from the changelog after a rebalance or an aborted transaction, another writer — gives
 * another array, and the profile is parsed from it as if nothing were kept. A working profile is
 * handed out once ({@link #take}) and kept again only when it is saved, so a batch that failed
 * half-way never leaves its half-applied changes behind.
 *
 * <p>Bounded by a byte budget shared by every task of the instance ({@link Budget}), counted in the
 * stored bytes; the least recently used profiles go first.
 */
final class ProfileMemo {
  /** Stored bytes all tasks' memos may hold together: 1/64 of the heap (~3× that parsed). */
  static final class Budget {
    private final long max;
    private final AtomicLong used = new AtomicLong();

    Budget(long max) {
      this.max = max;
    }

    static Budget ofHeap(long maxHeap) {
      return new Budget(maxHeap / 64);
    }

    boolean reserve(long bytes) {
      long now;
      do {
        now = used.get();
        if (now + bytes > max) {
          return false;
        }
      } while (!used.compareAndSet(now, now + bytes));
      return true;
    }

    void release(long bytes) {
      used.addAndGet(-bytes);
    }

    long used() {
      return used.get();
    }
  }

  /**
   * What was written: the bytes, the message they encode, and the working profile (null when the
   * stored message is not the working one's state, e.g. cut to {@code profile.max.bytes}).
   */
  record Kept(byte[] stored, ServiceProfile message, @Nullable Profiles working) {}

  private final Budget budget;
  private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>(64, 0.75f, true);
  private long hits;
  private long misses;

  ProfileMemo(Budget budget) {
    this.budget = budget;
  }

  /**
   * The kept entry for a service if the store's value is exactly the array it was written with,
   * else null (and the stale entry is dropped). The entry stays kept: for reading only.
   */
  @Nullable Kept peek(String service, byte @Nullable [] stored) {
    Kept k = kept.get(service);
    if (k != null && k.stored != stored) {
      drop(service);
      k = null;
    }
    count(k != null);
    return k;
  }

  /**
   * Like {@link #peek}, but hands the entry over: it is no longer kept, whatever is done with it,
   * until {@link #keep} is called again after a save.
   */
  @Nullable Kept take(String service, byte @Nullable [] stored) {
    Kept k = kept.remove(service);
    if (k != null) {
      budget.release(k.stored.length);
      if (k.stored != stored) {
        k = null;
      }
    }
    count(k != null);
    return k;
  }

  /** Remembers what was just written to the store for this service. */
  void keep(String service, byte[] stored, ServiceProfile message, @Nullable Profiles working) {
    drop(service);
    Iterator<Map.Entry<String, Kept>> eldest = kept.entrySet().iterator();
    while (!budget.reserve(stored.length)) {
      if (!eldest.hasNext()) {
        return; // the budget is spent by other tasks' memos: parse as before
      }
      budget.release(eldest.next().getValue().stored.length);
      eldest.remove();
    }
    kept.put(service, new Kept(stored, message, working));
  }

  void drop(String service) {
    Kept k = kept.remove(service);
    if (k != null) {
      budget.release(k.stored.length);
    }
  }

  /** Forgets everything: the task is (re)initialised or closed. */
  void clear() {
    kept.values().forEach(k -> budget.release(k.stored.length));
    kept.clear();
  }

  int size() {
    return kept.size();
  }

  long hits() {
    return hits;
  }

  long misses() {
    return misses;
  }

  private void count(boolean hit) {
    if (hit) {
      hits++;
    } else {
      misses++;
    }
  }
}
