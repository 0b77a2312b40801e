package dev.tripline.collector.pipeline;

import dev.tripline.model.AlertReason;
import dev.tripline.model.ProfileState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The collector's own meters (Prometheus names tripline_*). */
final class Meters implements dev.tripline.collector.detect.Detection.Meter {
  private final MeterRegistry registry;
  private final Counter eventsIn;
  private final Counter deadLetters;
  private final Map<String, Integer> states = new ConcurrentHashMap<>();

  Meters(MeterRegistry registry) {
    this.registry = registry;
    this.eventsIn =
        Counter.builder("tripline.events.in")
            .description("Agent events processed (repeats counted)")
            .register(registry);
    this.deadLetters =
        Counter.builder("tripline.dead.letters")
            .description("Records sent to the dead-letter topic")
            .register(registry);
  }

  void stringTruncated() {
    counter("tripline.strings.truncated", "Strings from events cut to string.max.chars")
        .increment();
  }

  void listCapped() {
    counter(
            "tripline.lists.capped",
            "Lists from events cut: 128 elements, string lists (argv) 256 around a marker")
        .increment();
  }

  /**
   * A record cut down to fit record.max.bytes (or a profile to profile.max.bytes) before it was
   * written.
   */
  void recordCut(String record) {
    Counter.builder("tripline.records.oversize")
        .tag("record", record)
        .description("Records cut down before writing because they would not fit")
        .register(registry)
        .increment();
  }

  @Override
  public void generalized(String kind) {
    Counter.builder("tripline.profile.generalized")
        .tag("kind", kind)
        .description("Profile entries collapsed into a generalised entry")
        .register(registry)
        .increment();
  }

  @Override
  public void overflow(String kind, long n) {
    Counter.builder("tripline.profile.overflow")
        .tag("kind", kind)
        .description("New behaviours past a profile's bounds: generalised or counted, not stored")
        .register(registry)
        .increment(n);
  }

  void poisonSkipped() {
    counter(
            "tripline.poison.records",
            "Input records dead-lettered after killing the stream thread poison.max.tries times")
        .increment();
  }

  void processingError(String where) {
    Counter.builder("tripline.processing.errors")
        .tag("where", where)
        .description("Records or writes Kafka Streams could not process, dead-lettered or dropped")
        .register(registry)
        .increment();
  }

  /**
   * The health gauge. Micrometer holds a gauge's object weakly: a method reference held nowhere
   * else is collected at the next GC and the gauge reads NaN from then on, hence the strong
   * reference.
   */
  void health(
      java.util.function.Supplier<dev.tripline.collector.api.AnalystBackend.Health> health) {
    Gauge.builder("tripline.health", health, h -> h.get().up() ? 1 : 0)
        .description("1 = detection keeps up, 0 = stuck or failed (see /health for the reason)")
        .strongReference(true)
        .register(registry);
  }

  /** An OutOfMemoryError, {@code where}: read (the consumer's, handled) or thread (killed one). */
  void outOfMemory(String where) {
    Counter.builder("tripline.out.of.memory")
        .tag("where", where)
        .description("OutOfMemoryErrors seen (read: a record the consumer could not allocate)")
        .register(registry)
        .increment();
  }

  /** A stream or global thread died ({@code cause}: out_of_memory or other). */
  void threadFailed(String cause) {
    Counter.builder("tripline.stream.thread.failures")
        .tag("cause", cause)
        .description("Stream or global threads that died (stream threads are replaced)")
        .register(registry)
        .increment();
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  @Override
  public void modelError() {
    Counter.builder("tripline.rate.model.errors")
        .description("Rate windows the model could not judge")
        .register(registry)
        .increment();
  }

  @Override
  public void peersEstimated(long connects) {
    Counter.builder("tripline.rate.peers.estimated")
        .description(
            "Connects whose peer a rate window only estimated (past its exact bound of distinct"
                + " peers)")
        .register(registry)
        .increment(connects);
  }

  void eventsIn(long n) {
    eventsIn.increment(n);
  }

  Counter deadLetters() {
    return deadLetters;
  }

  void alert(AlertReason reason) {
    Counter.builder("tripline.alerts.out")
        .tag("reason", reason.name())
        .description("New alerts published")
        .register(registry)
        .increment();
  }

  void newService(String service) {
    if (states.putIfAbsent(service, ProfileState.LEARNING_VALUE) == null) {
      Gauge.builder("tripline.service.state", states, m -> m.getOrDefault(service, 0))
          .tag("service", service)
          .description("1 = learning, 2 = monitoring")
          .register(registry);
    }
  }

  void state(String service, ProfileState state) {
    newService(service);
    states.put(service, state.getNumber());
  }
}
