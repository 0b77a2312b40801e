package dev.tripline.collector.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Ends the replace-thread-and-retry-forever loop. Kafka Streams replaces a failed stream thread and
 * the new one starts again from the last commit, so a record that kills the thread (an error no
 * handler sees, a write that breaks the transaction) would do so for ever. The guard remembers, per
 * thread, the input record the thread is on and whether it is still processing it; when a thread
 * dies, the failure is charged to that thread's record only — never to another thread's, so an
 * innocent record elsewhere is never set aside:
 *
 * <ul>
 *   <li>a failure while processing: the record being processed;
 *   <li>an exception after it (a write that breaks the transaction at commit): the thread's last
 *       record, and until the partition has passed it records are committed one by one so the next
 *       failure names the culprit exactly;
 *   <li>an {@link Error} outside processing (an {@code OutOfMemoryError} while the consumer reads a
 *       batch, in a punctuation) and a thread that began no record (the global thread): nobody.
 * </ul>
 *
 * A record charged {@code poison.max.tries} times is dead-lettered and skipped.
 */
final class PoisonGuard {
  /** An input record. */
  record Position(String topic, int partition, long offset) {
    String partitionName() {
      return topic + "-" + partition;
    }

    @Override
    public String toString() {
      return partitionName() + "@" + offset;
    }
  }

  /** One stream thread's record: set as it begins one, read on that thread when it dies. */
  private static final class Slot {
    @Nullable Position position;
    boolean processing;
  }

  private final int maxTries;
  private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(Slot::new);
  private final Map<Position, Integer> failures =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Position, Integer> eldest) {
          return size() > 1_000; // bounded memory, whatever fails
        }
      };
  private final Map<String, Long> carefulUntil = new ConcurrentHashMap<>(); // partition -> offset
  private volatile String lastFailure = "";

  /**
   * Tests only: called with each record's value before detection (to make a record fail on
   * purpose).
   */
  volatile Consumer<Object> fault = v -> {};

  /**
   * Tests only: called with each batch once detection has applied it to its profile in memory,
   * before the profile is saved (to fail a record at the worst moment for a kept profile).
   */
  volatile Consumer<Object> faultBeforeSave = v -> {};

  PoisonGuard(int maxTries) {
    this.maxTries = Math.max(1, maxTries);
  }

  /**
   * Called on the stream thread as a record starts processing. True when it has killed the thread
   * too often: skip it.
   */
  boolean begin(Position p) {
    synchronized (failures) {
      if (failures.getOrDefault(p, 0) >= maxTries) {
        return true;
      }
    }
    Slot s = slot.get();
    s.position = p;
    s.processing = true;
    return false;
  }

  /** The record begun on this thread was processed (its writes are still to be committed). */
  void end() {
    slot.get().processing = false;
  }

  /** True while replaying the records of a failed transaction: commit after each one. */
  boolean careful(Position p) {
    Long until = carefulUntil.get(p.partitionName());
    if (until == null) {
      return false;
    }
    if (p.offset() >= until) {
      carefulUntil.remove(p.partitionName(), until);
    }
    return true;
  }

  /**
   * From the uncaught exception handler, on the dying thread: the record charged with the failure,
   * or null when no record is to blame.
   */
  @Nullable Position threadFailed(Throwable e) {
    lastFailure = String.valueOf(e);
    Slot s = slot.get();
    slot.remove();
    Position p = s.position;
    if (p == null || (!s.processing && e instanceof Error)) {
      return null;
    }
    synchronized (failures) {
      failures.merge(p, 1, Integer::sum);
    }
    carefulUntil.merge(p.partitionName(), p.offset(), Math::max);
    return p;
  }

  int tries(Position p) {
    synchronized (failures) {
      return failures.getOrDefault(p, 0);
    }
  }

  String lastFailure() {
    return lastFailure;
  }
}
