package dev.tripline.collector.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the edge of the pipeline refused, repaired or could not understand (Prometheus names):
 * {@code tripline_events_refused_total{reason}}, {@code tripline_events_unknown_total{what}},
 * {@code tripline_values_clamped_total{field}}.
 */
final class EdgeMeters {
  static final String SERVICE_MISMATCH = "service_mismatch";
  static final String SERVICES_MAX = "services_max";
  static final String PARTITION = "partition";
  static final String SHARED_TOPIC = "shared_topic";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  EdgeMeters(MeterRegistry registry) {
    this.registry = registry;
    for (String reason :
        new String[] {
          SERVICE_MISMATCH,
          SERVICES_MAX,
          PARTITION,
          SHARED_TOPIC,
          InputLimits.TOO_LARGE,
          InputLimits.TOO_MANY_EVENTS
        }) {
      refused(reason, 0);
    }
    unknown("kind", 0);
    unknown("field", 0);
  }

  /** A batch set aside (dead-lettered) for this reason. */
  void refused(String reason, long n) {
    counter(
            "tripline.events.refused",
            "reason",
            reason,
            "Event batches refused at the edge (dead-lettered)")
        .increment(n);
  }

  /**
   * Events of a kind, or messages with fields, this collector does not know (a newer agent): kept,
   * read as unspecified.
   */
  void unknown(String what, long n) {
    counter(
            "tripline.events.unknown",
            "what",
            what,
            "Unknown event kinds / messages with unknown fields (newer agents)")
        .increment(n);
  }

  /** A value outside sane bounds, replaced before detection sees it. */
  void clamped(String field) {
    counter(
            "tripline.values.clamped",
            "field",
            field,
            "Values outside sane bounds, clamped at the edge")
        .increment();
  }

  private Counter counter(String name, String tag, String value, String description) {
    return counters.computeIfAbsent(
        name + '|' + value,
        k -> Counter.builder(name).tag(tag, value).description(description).register(registry));
  }
}
