package dev.tripline.collector.output;

import dev.tripline.collector.api.OutputControl.OutputStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One output's health, shared by its worker (writes) and the API and {@code /metrics} (read): the
 * same figures in both, as Micrometer meters tagged {@code output=<name>}.
 */
final class OutputState {
  final String name;
  final String type;
  final String filter;
  private volatile String status;
  private volatile String error;
  final AtomicLong lastSuccessMs = new AtomicLong();
  final AtomicLong lastFailureMs = new AtomicLong();
  final AtomicLong backlog = new AtomicLong();
  final Counter delivered;
  final Counter failures;
  final Counter retries;
  final Counter deadLetters;
  final Counter duplicates;
  final Counter filtered;

  OutputState(
      String name, String type, String filter, String status, String error, MeterRegistry r) {
    this.name = name;
    this.type = type;
    this.filter = filter;
    this.status = status;
    this.error = error;
    delivered = counter(r, "tripline.output.delivered", "Alerts an output's receiver took");
    failures = counter(r, "tripline.output.failures", "Delivery attempts that failed");
    retries = counter(r, "tripline.output.retries", "Delivery attempts repeated after a failure");
    deadLetters =
        counter(
            r,
            "tripline.output.dead.letters",
            "Alerts dead-lettered by an output, with the reason");
    duplicates =
        counter(
            r,
            "tripline.output.duplicates",
            "Alerts this instance delivered again (at-least-once: a redelivery after a rebalance)");
    filtered = counter(r, "tripline.output.filtered", "Alerts an output's filter left out");
    Gauge.builder("tripline.output.backlog", backlog, AtomicLong::doubleValue)
        .tag("output", name)
        .description("Alerts on the topic this output has not handled yet (consumer lag)")
        .strongReference(true)
        .register(r);
    Gauge.builder("tripline.output.last.success", lastSuccessMs, v -> v.get() / 1000.0)
        .tag("output", name)
        .description("Epoch seconds of the output's last delivery (0: none yet)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(r);
    Gauge.builder("tripline.output.up", this, s -> s.status.equals("OK") ? 1 : 0)
        .tag("output", name)
        .tag("type", type)
        .description("1 while the output delivers; 0 when failing or broken")
        .strongReference(true)
        .register(r);
  }

  private Counter counter(MeterRegistry r, String meter, String description) {
    return Counter.builder(meter).tag("output", name).description(description).register(r);
  }

  void ok() {
    status = "OK";
    error = "";
    lastSuccessMs.set(System.currentTimeMillis());
  }

  void failing(String reason) {
    status = "FAILING";
    error = reason;
    lastFailureMs.set(System.currentTimeMillis());
  }

  /** A dead letter: the output is fine again (it moves on), the reason kept. */
  void gaveUp(String reason) {
    error = reason;
    lastFailureMs.set(System.currentTimeMillis());
  }

  void set(String status) {
    this.status = status;
  }

  String status() {
    return status;
  }

  String error() {
    return error;
  }

  OutputStatus view() {
    return new OutputStatus(
        name,
        type,
        status,
        error,
        filter,
        lastSuccessMs.get(),
        lastFailureMs.get(),
        (long) delivered.count(),
        (long) failures.count(),
        (long) retries.count(),
        (long) deadLetters.count(),
        (long) duplicates.count(),
        backlog.get());
  }
}
