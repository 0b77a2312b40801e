package dev.tripline.collector.pipeline;

import dev.tripline.collector.api.AnalystBackend.Health;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Decides whether detection keeps up. DOWN when Kafka Streams has failed or stopped, when it has
 * been out of RUNNING for longer than {@code health.stuck.after}, or when an input partition has
 * records waiting but its committed offset has not moved for that long — the signature of a record
 * that kills the stream thread on every try. Time is passed in, so the rule is tested without
 * waiting.
 */
final class HealthMonitor {
  /** One input partition: the task's committed offset and the partition's end offset. */
  record Offsets(long committed, long end) {}

  private final long stuckAfterMs;
  private final Map<String, long[]> progress =
      new HashMap<>(); // partition -> {highest committed, since}
  private KafkaStreams.State state;
  private long stateSince;

  HealthMonitor(Duration stuckAfter) {
    this.stuckAfterMs = stuckAfter.toMillis();
  }

  synchronized Health evaluate(
      KafkaStreams.State now, Map<String, Offsets> partitions, String lastFailure, long nowMs) {
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
