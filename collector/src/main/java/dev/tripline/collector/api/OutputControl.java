package dev.tripline.collector.api;

import java.util.List;
import java.util.Optional;

/**
 * The alert outputs as the analyst surface sees them ({@code GET /api/outputs}, {@code POST
 * /api/outputs/{name}/test}, the console's outputs page): health and a test delivery.
 */
public interface OutputControl {
  /** No outputs configured (and none to test). */
  OutputControl NONE =
      new OutputControl() {
        @Override
        public List<OutputStatus> outputs() {
          return List.of();
        }

        @Override
        public Optional<TestResult> test(String name) {
          return Optional.empty();
        }
      };

  /** Every output, broken ones included, by name. */
  List<OutputStatus> outputs();

  /**
   * Sends a test alert through {@code name} at once (no filter, no Kafka, no retry); empty when
   * there is no such output.
   */
  Optional<TestResult> test(String name);

  /**
   * One output's health.
   *
   * @param status {@code OK}, {@code FAILING} (its last attempt failed; retrying), {@code BROKEN}
   *     (its configuration is wrong: not running) or {@code STOPPED}
   * @param error the last failure or the configuration mistake, "" when none
   * @param lastSuccessMs epoch ms of the last delivery, 0 when none yet
   * @param backlog alerts on the topic this output has not yet handled (its consumer lag)
   */
  record OutputStatus(
      String name,
      String type,
      String status,
      String error,
      String filter,
      long lastSuccessMs,
      long lastFailureMs,
      long delivered,
      long failures,
      long retries,
      long deadLetters,
      long duplicates,
      long backlog) {}

  /** What a test delivery came to. */
  record TestResult(String name, boolean delivered, String error) {}
}
