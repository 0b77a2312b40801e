package dev.tripline.collector.attack;

import static org.awaitility.Awaitility.await;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.http.AnalystServer;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.ProfileState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;

/**
 * A collector as the protect-mode suites drive it: the detection pipeline on the test broker
 * (learning ends only when an analyst says so), and its analyst API with a token, through which
 * protection is set. What ProtectAttackSuiteIT and ProtectSpringIT each built by hand.
 */
final class AnalystCollector implements AutoCloseable {
  final PipelineFixtures f;
  final DetectionPipeline pipeline;
  final AnalystServer server;

  AnalystCollector(EmbeddedKafka kafka, Path dir, String token) throws Exception {
    f =
        new PipelineFixtures(
            kafka,
            dir.resolve("collector"),
            1,
            "learning.period",
            "1h",
            "http.port",
            "0",
            "http.token",
            token);
    DetectionPipeline p = null;
    try {
      p = f.pipeline(dir.resolve("state").toString(), new SimpleMeterRegistry());
      server =
          new AnalystServer(
                  f.config, p.backend(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
              .start();
    } catch (Exception | Error e) {
      if (p != null) p.close();
      f.close();
      throw e;
    }
    pipeline = p;
  }

  AnalystBackend backend() {
    return pipeline.backend();
  }

  /** The service's protection endpoint: {@code PUT} sets the mode and kinds. */
  String protection(String service) {
    return server.baseUrl() + "/api/services/" + service + "/protection";
  }

  /**
   * Ends the service's learning as an analyst would (SET_MONITORING), once everything sent so far
   * was judged, and waits until the profile says MONITORING.
   */
  static void endLearning(PipelineFixtures f, AnalystBackend backend, String service, String actor)
      throws Exception {
    f.awaitConsumed();
    backend.submit(
        AnalystAction.newBuilder()
            .setType(AnalystAction.ActionType.SET_MONITORING)
            .setService(service)
            .setActor(actor)
            .build());
    await(service + " monitoring")
        .atMost(Patience.WAIT)
        .until(
            () ->
                backend
                    .profile(service)
                    .map(p -> p.getState() == ProfileState.MONITORING)
                    .orElse(false));
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      try {
        pipeline.close();
      } finally {
        f.close();
      }
    }
  }
}
