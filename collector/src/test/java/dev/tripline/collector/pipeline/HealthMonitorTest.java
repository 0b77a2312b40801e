package dev.tripline.collector.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.api.AnalystBackend.Health;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** The /health rule, with time passed in. */
class HealthMonitorTest {
  private static final long S = 1_000;

  @Test
  void downWhenAPartitionWithWaitingRecordsMakesNoProgressForTheThreshold() {
    HealthMonitor m = new HealthMonitor(Duration.ofSeconds(60));
    Map<String, HealthMonitor.Offsets> stuck =
        Map.of("events-0", new HealthMonitor.Offsets(14, 30));
    assertTrue(m.evaluate(State.RUNNING, stuck, "", 0).up());
    assertTrue(m.evaluate(State.RUNNING, stuck, "", 60 * S).up(), "not yet beyond the threshold");
    Health h = m.evaluate(State.RUNNING, stuck, "RecordTooLargeException", 61 * S);
    assertFalse(h.up());
    assertTrue(
        h.reason().contains("no progress on events-0 for 61 s with 16 records waiting")
            && h.reason().contains("RecordTooLargeException"),
        h.reason());
    // It moves again: UP at once.
    assertTrue(
        m.evaluate(State.RUNNING, Map.of("events-0", new HealthMonitor.Offsets(15, 30)), "", 62 * S)
            .up());
  }

  @Test
  void upWhenIdleHoweverLongAndWhileProgressing() {
    HealthMonitor m = new HealthMonitor(Duration.ofSeconds(60));
    for (long t = 0; t < 600; t += 30) {
      assertTrue(
          m.evaluate(
                  State.RUNNING, Map.of("events-0", new HealthMonitor.Offsets(30, 30)), "", t * S)
              .up(),
          "idle");
      assertTrue(
          m.evaluate(
                  State.RUNNING,
                  Map.of("events-1", new HealthMonitor.Offsets(t, t + 500)),
                  "",
                  t * S)
              .up(),
          "lagging but moving");
    }
  }

  @Test
  void downWhenStreamsFailedOrIsOutOfRunningTooLong() {
    HealthMonitor m = new HealthMonitor(Duration.ofSeconds(60));
    assertFalse(m.evaluate(State.ERROR, Map.of(), "", 0).up());
    assertTrue(m.evaluate(State.REBALANCING, Map.of(), "", 1 * S).up());
    assertTrue(m.evaluate(State.REBALANCING, Map.of(), "", 61 * S).up());
    Health h = m.evaluate(State.REBALANCING, Map.of(), "", 62 * S);
    assertFalse(h.up());
    assertTrue(h.reason().contains("REBALANCING for 61 s"), h.reason());
    assertTrue(m.evaluate(State.RUNNING, Map.of(), "", 63 * S).up());
  }

  @Test
  void aReplacedThreadWithoutTasksOrCommittedOffsetIsNotProgress() {
    HealthMonitor m = new HealthMonitor(Duration.ofSeconds(60));
    assertTrue(
        m.evaluate(State.RUNNING, Map.of("events-0", new HealthMonitor.Offsets(1, 3)), "", 0).up());
    assertTrue(
        m.evaluate(State.RUNNING, Map.of(), "boom", 30 * S).up(),
        "the new thread has no tasks yet");
    Health h =
        m.evaluate(
            State.RUNNING, Map.of("events-0", new HealthMonitor.Offsets(-1, 3)), "boom", 61 * S);
    assertFalse(h.up(), "-1 (not committed yet) is not progress");
    assertTrue(h.reason().contains("2 records waiting") && h.reason().endsWith("boom"), h.reason());
  }

  @Test
  void downForTheHoldAfterAnOutOfMemoryErrorOrAReplacedThreadThenUpAgain() {
    HealthMonitor m = new HealthMonitor(Duration.ofSeconds(60), Duration.ofSeconds(30), 1);
    Map<String, HealthMonitor.Offsets> fine = Map.of("events-0", new HealthMonitor.Offsets(5, 5));
    assertTrue(m.evaluate(State.RUNNING, fine, 1, "", 0).up());
    m.threadFailed(new OutOfMemoryError("Java heap space"), "charged to no record", 10 * S);
    Health h = m.evaluate(State.RUNNING, fine, 1, "", 20 * S);
    assertFalse(h.up());
    assertTrue(
        h.reason().startsWith("out of memory 10 s ago (1 times since start)")
            && h.reason().contains("Java heap space (charged to no record)"),
        h.reason());
    assertTrue(m.evaluate(State.RUNNING, fine, 1, "", 41 * S).up(), "recovered");
    m.threadFailed(new StackOverflowError(), "charged to events-0@5", 50 * S);
    h = m.evaluate(State.RUNNING, fine, 1, "", 51 * S);
    assertFalse(h.up());
    assertTrue(h.reason().startsWith("a stream thread failed and was replaced 1 s ago (2 times"));
    assertTrue(m.evaluate(State.RUNNING, fine, 1, "", 81 * S).up());
  }

  @Test
  void downWhileFewerStreamThreadsAreAliveThanConfigured() {
    HealthMonitor m = new HealthMonitor(Duration.ofSeconds(60), Duration.ZERO, 2);
    Health h = m.evaluate(State.RUNNING, Map.of(), 1, "", 0);
    assertFalse(h.up());
    assertTrue(h.reason().startsWith("1 of 2 stream threads alive"), h.reason());
    assertTrue(m.evaluate(State.RUNNING, Map.of(), 2, "", S).up());
  }
}
