package dev.tripline.collector.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Ends the replace-thread-and-retry-forever loop. Kafka Streams replaces a failed stream thread and
 * the new one starts again from the last commit, so a record that kills the thread (an error no
 * handler sees, a write that breaks the transaction) would do so for ever. The guard remembers the
 * input record each thread was on; when a thread dies, that record is charged with the failure and,
 * until the partition has passed it, records are committed one by one so the next failure names the
 * culprit exactly. A record charged {@code poison.max.tries} times is dead-lettered and skipped.
 */
final class PoisonGuard {
  /** An input record. */
  record Position(String topic, int partition, long offset) {
    String partitionName() {
      return topic + "-" + partition;
    }
  }

  private final int maxTries;
  private final Map<String, Position> current =
      new ConcurrentHashMap<>(); // stream thread -> record
  private final Map<Position, Integer> failures =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Position, Integer> eldest) {
          return size() > 1_000; // bounded memory, whatever fails
        }
      };
  private final Map<String, Long> carefulUntil = new ConcurrentHashMap<>(); // partition -> offset
  private volatile Position latest;
  private volatile String lastFailure = "";

  /**
   * Tests only: called with each record's value before detection (to make a record fail on
   * purpose).
   */
  volatile Consumer<Object> fault = v -> {};

  PoisonGuard(int maxTries) {
    this.maxTries = Math.max(1, maxTries);
  }

  /**
   * Called as a record starts processing. True when it has killed the thread too often: skip it.
   */
  boolean begin(Position p) {
    synchronized (failures) {
      if (failures.getOrDefault(p, 0) >= maxTries) {
        return true;
      }
    }
    current.put(Thread.currentThread().getName(), p);
    latest = p;
    return false;
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

  /** From the uncaught exception handler, on the dying stream thread. */
  void threadFailed(Throwable e) {
    lastFailure = String.valueOf(e);
    Position p = current.remove(Thread.currentThread().getName());
    if (p == null) {
      p = latest; // called elsewhere: the last record any thread began is the best guess
    }
    if (p == null) {
      return;
    }
    synchronized (failures) {
      failures.merge(p, 1, Integer::sum);
    }
    carefulUntil.merge(p.partitionName(), p.offset(), Math::max);
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
