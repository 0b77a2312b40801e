package dev.tripline.collector.pipeline;

import dev.tripline.model.AlertReason;
import dev.tripline.model.ProfileState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The collector's own meters (Prometheus names tripline_*). */
final class Meters {
  private final MeterRegistry registry;
  private final Counter eventsIn;
  private final Counter deadLetters;
  private final Map<String, Integer> states = new ConcurrentHashMap<>();

  Meters(MeterRegistry registry) {
    this.registry = registry;
    this.eventsIn = Counter.builder("tripline.events.in").description("Agent events processed (repeats counted)").register(registry);
    this.deadLetters = Counter.builder("tripline.dead.letters").description("Records sent to the dead-letter topic").register(registry);
  }

  void modelError() {
    Counter.builder("tripline.rate.model.errors").description("Rate windows the model could not judge").register(registry).increment();
  }

  void eventsIn(long n) {
    eventsIn.increment(n);
  }

  Counter deadLetters() {
    return deadLetters;
  }

  void alert(AlertReason reason) {
    Counter.builder("tripline.alerts.out").tag("reason", reason.name()).description("New alerts published").register(registry).increment();
  }

  void newService(String service) {
    if (states.putIfAbsent(service, ProfileState.LEARNING_VALUE) == null) {
      Gauge.builder("tripline.service.state", states, m -> m.getOrDefault(service, 0))
          .tag("service", service).description("1 = learning, 2 = monitoring").register(registry);
    }
  }

  void state(String service, ProfileState state) {
    newService(service);
    states.put(service, state.getNumber());
  }
}
