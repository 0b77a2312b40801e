package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.EventBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a record the topology cannot process is dead-lettered with the reason, and the stream
 * goes on.
 */
@ExtendWith(KafkaBroker.class)
class PoisonRecordTest {
  private static final Duration WAIT = Patience.WAIT;

  static String error(ConsumerRecord<String, byte[]> r) {
    var h = r.headers().lastHeader("tripline.error");
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aBatchThatKillsTheStreamThreadIsDeadLetteredAfterBoundedTriesAndTheStreamGoesOn(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f =
            new PipelineFixtures(
                kafka, dir, 1, "poison.max.tries", "2", "health.failure.hold", "2s");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString());
        var dead = PipelineFixtures.consumer(kafka, f.config.get(CollectorKeys.TOPIC_DEADLETTER))) {
      // An Error no exception handler sees (as deep recursion on a hostile value would throw) kills
      // the thread; a RuntimeException is handled in place.
      p.poisonGuard().fault =
          v -> {
            String service = v instanceof EventBatch b ? b.getAgent().getService() : "";
            if (service.equals("poison")) throw new StackOverflowError("hostile recursion");
            if (service.equals("throws"))
              throw new IllegalStateException("cannot handle this batch");
          };
      f.send("before", connect("db.internal", 5432));
      f.send("poison", connect("db.internal", 5432));
      f.send("throws", connect("db.internal", 5432));
      f.send("after", connect("db.internal", 5432));

      List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
      await()
          .dontCatchUncaughtExceptions()
          .atMost(WAIT)
          .until(
              () -> {
                dead.poll(Duration.ofMillis(200)).forEach(letters::add);
                return letters.size() >= 2 && p.backend().profile("after").isPresent();
              });
      assertTrue(
          letters.stream()
              .anyMatch(
                  r ->
                      error(r).startsWith("skipped after killing the stream thread 2 times")
                          && error(r).contains("hostile recursion")),
          letters.stream().map(PoisonRecordTest::error).toList().toString());
      assertTrue(letters.stream().anyMatch(r -> error(r).contains("cannot handle this batch")));
      assertTrue(
          p.backend().profile("before").isPresent() && p.backend().profile("poison").isEmpty());
      await().dontCatchUncaughtExceptions().atMost(WAIT).until(() -> p.health().up());
    }
  }

  @Test
  void healthIsDownWithTheReasonWhileARecordKeepsKillingTheThreadAndUpOnceItPasses(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f =
            new PipelineFixtures(
                kafka,
                dir,
                1,
                "poison.max.tries",
                "1000",
                "health.stuck.after",
                "3s",
                "health.failure.hold",
                "3s");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString())) {
      f.send("before", connect("db.internal", 5432));
      await().atMost(WAIT).until(() -> p.backend().profile("before").isPresent());
      assertTrue(p.health().up(), p.health().toString());
      await()
          .atMost(WAIT)
          .until(() -> !p.inputOffsets().isEmpty()); // the rule sees the input partitions
      p.poisonGuard().fault =
          v -> {
            if (v instanceof EventBatch b && b.getAgent().getService().equals("poison"))
              throw new StackOverflowError("hostile recursion");
          };
      f.send("poison", connect("db.internal", 5432));
      f.send("after", connect("db.internal", 5432));
      await().dontCatchUncaughtExceptions().atMost(WAIT).until(() -> !p.health().up());
      String reason = p.health().reason();
      assertTrue(reason.contains("hostile recursion"), reason);
      p.poisonGuard().fault = v -> {};
      await()
          .dontCatchUncaughtExceptions()
          .atMost(WAIT)
          .until(() -> p.backend().profile("after").isPresent() && p.health().up());
    }
  }
}
