package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.ProfileState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a real broker shows: exactly-once state across a failover to a second instance and a
 * restart from the changelog. Detection itself is tested without a broker in {@link
 * DetectionTopologyTest}.
 */
@ExtendWith(KafkaBroker.class)
class DetectionPipelineTest {
  private static final Duration WAIT = Patience.WAIT;

  static void learn(PipelineFixtures f, AnalystBackend backend, String service) throws Exception {
    PipelineFixtures.learn(f, backend, service);
  }

  static List<AlertReason> reasons(List<Alert> alerts) {
    return alerts.stream().map(Alert::getReason).collect(Collectors.toList());
  }

  @Test
  void aRestartedOrSecondInstanceResumesWithoutRelearningOrDuplicates(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 2)) {
      List<String> services = List.of("alpha", "beta", "gamma", "delta");
      Alert first;
      try (DetectionPipeline a = f.pipeline(dir.resolve("a").toString());
          DetectionPipeline b = f.pipeline(dir.resolve("b").toString())) {
        for (String s : services) {
          learn(f, a.backend(), s);
        }
        f.send("alpha", spawn("/usr/bin/nmap", "-sS"));
        await().atMost(WAIT).until(() -> f.alerts().size() == 1);
        first = f.alerts().get(0);
        // Both instances answer queries about every service.
        for (String s : services) {
          assertTrue(b.backend().profile(s).isPresent(), s);
        }
        a.close(); // the first instance dies; the second takes over its partitions
        for (String s : services) {
          f.send(s, connect("exfil-" + s + ".example", 8443));
        }
        await().atMost(Patience.WAIT).until(() -> f.alerts().size() == 1 + services.size());
      }
      // Both gone; a fresh instance restores from the changelog.
      try (DetectionPipeline c = f.pipeline(dir.resolve("c").toString())) {
        f.send("alpha", spawn("/usr/bin/nmap", "-sS"), connect("db.internal", 5432));
        await()
            .atMost(Patience.WAIT)
            .until(() -> c.backend().alert(first.getId()).map(Alert::getCount).orElse(0L) == 2);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(WAIT)
            .until(() -> f.alerts().size() == 1 + services.size());
        assertEquals(
            ProfileState.MONITORING,
            c.backend().profile("alpha").orElseThrow().getState(),
            "no relearning");
        assertFalse(
            f.alerts().stream().map(Alert::getId).distinct().count() < f.alerts().size(),
            "no duplicate alerts");
      }
    }
  }
}
