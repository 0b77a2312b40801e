package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.EventBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 case 2: /health and the {@code tripline_health} gauge go DOWN (0) while detection is
 * stopped — here a stream thread that really dies, again and again, on a record — and UP (1) once
 * it recovers; the gauge never reads NaN, garbage collections included.
 */
@ExtendWith(KafkaBroker.class)
class HealthTruthTest {
  private static final Duration WAIT = Patience.WAIT;

  /** The gauge's value after a full GC (Micrometer holds gauge objects weakly). */
  private static double gauge(SimpleMeterRegistry registry) {
    System.gc();
    return registry.get("tripline.health").gauge().value();
  }

  @Test
  void healthAndItsGaugeAreDownWhileStreamThreadsDieAndUpWhenDetectionRecovers(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PipelineFixtures f =
            new PipelineFixtures(
                kafka, dir, 1, "poison.max.tries", "1000", "health.failure.hold", "3s");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), registry)) {
      f.send("before", connect("db.internal", 5432));
      await().atMost(WAIT).until(() -> p.backend().profile("before").isPresent());
      assertTrue(p.health().up(), p.health().toString());
      assertEquals(1.0, gauge(registry));

      // A record that kills the stream thread on every try: the thread is replaced, and dies again.
      p.poisonGuard().fault =
          v -> {
            if (v instanceof EventBatch b && b.getAgent().getService().equals("killer")) {
              throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
          };
      f.send("killer", connect("db.internal", 5432));
      await()
          .dontCatchUncaughtExceptions()
          .atMost(WAIT)
          .until(() -> !p.health().up() && gauge(registry) == 0.0);
      String reason = p.health().reason();
      assertTrue(reason.startsWith("out of memory") && reason.contains("charged to "), reason);
      assertTrue(
          registry
                  .get("tripline.stream.thread.failures")
                  .tag("cause", "out_of_memory")
                  .counter()
                  .count()
              >= 1);

      // Detection recovers: the record passes, and health comes back once the hold has passed.
      p.poisonGuard().fault = v -> {};
      f.send("after", connect("db.internal", 5432));
      await()
          .dontCatchUncaughtExceptions()
          .atMost(WAIT)
          .until(
              () ->
                  p.backend().profile("after").isPresent()
                      && p.health().up()
                      && gauge(registry) == 1.0);
    }
  }
}
