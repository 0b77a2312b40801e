package dev.tripline.collector.pipeline;

import dev.tripline.collector.api.AnalystBackend.Health;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Decides whether detection keeps up. DOWN, with the reason, when:
 *
 * <ul>
 *   <li>Kafka Streams has failed or stopped (a dead global thread takes it to ERROR);
 *   <li>an {@code OutOfMemoryError} or a failed (replaced) stream thread was seen within {@code
 *       health.failure.hold} — a record that kills the thread on every try keeps it DOWN;
 *   <li>fewer stream threads are alive than {@code streams.threads};
 *   <li>Kafka Streams has been out of RUNNING for longer than {@code health.stuck.after};
 *   <li>an input partition has records waiting but its committed offset has not moved for that
 *       long.
 * </ul>
 *
 * UP again as soon as none holds. Time is passed in, so the rule is tested without waiting.
 */
final class HealthMonitor {
  /** One input partition: the task's committed offset and the partition's end offset. */
  record Offsets(long committed, long end) {}

  private final long stuckAfterMs;
  private final long failureHoldMs;
  private final int threads;
  private final Map<String, long[]> progress =
      new HashMap<>(); // partition -> {highest committed, since}
  private KafkaStreams.State state;
  private long stateSince;
  private long failures;
  private long failedAt = Long.MIN_VALUE;
  private String failure = "";
  private long outOfMemory;
  private long outOfMemoryAt = Long.MIN_VALUE;

  HealthMonitor(Duration stuckAfter) {
    this(stuckAfter, Duration.ZERO, 1);
  }

  HealthMonitor(Duration stuckAfter, Duration failureHold, int threads) {
    this.stuckAfterMs = stuckAfter.toMillis();
    this.failureHoldMs = failureHold.toMillis();
    this.threads = threads;
  }

  /** A stream or global thread died with {@code e} (it is replaced, or Kafka Streams stops). */
  synchronized void threadFailed(Throwable e, String charged, long nowMs) {
    failures++;
    failedAt = nowMs;
    failure = e + " (" + charged + ")";
    if (e instanceof OutOfMemoryError) {
      outOfMemory++;
      outOfMemoryAt = nowMs;
    }
  }

  /** An OutOfMemoryError that was handled where it happened (no thread died). */
  synchronized void outOfMemory(Throwable e, String what, long nowMs) {
    outOfMemory++;
    outOfMemoryAt = nowMs;
    failure = e + " (" + what + ")";
  }

  synchronized long failures() {
    return failures;
  }

  synchronized Health evaluate(
      KafkaStreams.State now, Map<String, Offsets> partitions, String lastFailure, long nowMs) {
    return evaluate(now, partitions, threads, lastFailure, nowMs);
  }

  synchronized Health evaluate(
      KafkaStreams.State now,
      Map<String, Offsets> partitions,
      int liveThreads,
      String lastFailure,
      long nowMs) {
    if (now != state) {
      state = now;
      stateSince = nowMs;
    }
    String failure =
        lastFailure == null || lastFailure.isEmpty()
            ? ""
            : "; last stream thread failure: " + lastFailure;
    if (now == KafkaStreams.State.ERROR
        || now == KafkaStreams.State.PENDING_ERROR
        || now == KafkaStreams.State.NOT_RUNNING
        || now == KafkaStreams.State.PENDING_SHUTDOWN) {
      return Health.down("Kafka Streams is " + now + failure);
    }
    if (outOfMemory > 0 && nowMs - outOfMemoryAt < failureHoldMs) {
      return Health.down(
          "out of memory "
              + (nowMs - outOfMemoryAt) / 1000
              + " s ago ("
              + outOfMemory
              + " times since start): "
              + this.failure);
    }
    if (failures > 0 && nowMs - failedAt < failureHoldMs) {
      return Health.down(
          "a stream thread failed and was replaced "
              + (nowMs - failedAt) / 1000
              + " s ago ("
              + failures
              + " times since start): "
              + this.failure);
    }
    if (liveThreads < threads
        && (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.REBALANCING)) {
      return Health.down(liveThreads + " of " + threads + " stream threads alive" + failure);
    }
    if (now != KafkaStreams.State.RUNNING && nowMs - stateSince > stuckAfterMs) {
      return Health.down(
          "Kafka Streams has been " + now + " for " + (nowMs - stateSince) / 1000 + " s" + failure);
    }
    // Partitions are remembered while absent: a dying thread's replacement has no tasks for a
    // while.
    Health health = Health.UP;
    for (Map.Entry<String, Offsets> e : partitions.entrySet()) {
      Offsets o = e.getValue();
      long[] seen = progress.get(e.getKey());
      // Progress is the committed offset passing its highest value so far; a replaced thread's task
      // reports no committed offset (-1) until it commits, which is not progress.
      if (seen == null || o.committed() > seen[0]) {
        progress.put(e.getKey(), new long[] {o.committed(), nowMs});
        continue;
      }
      long lag = o.end() - Math.max(0, seen[0]);
      long still = nowMs - seen[1];
      if (lag > 0 && still > stuckAfterMs && health.up()) {
        health =
            Health.down(
                "no progress on "
                    + e.getKey()
                    + " for "
                    + still / 1000
                    + " s with "
                    + lag
                    + " records waiting"
                    + failure);
      }
    }
    return health;
  }
}
