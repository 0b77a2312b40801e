package dev.tripline.collector.output;

import dev.tripline.collector.api.OutputControl;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertState;
import dev.tripline.model.Severity;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.jspecify.annotations.Nullable;

/**
 * The configured outputs, each on its own thread with its own consumer group ({@link
 * OutputWorker}); several instances (inside {@code run}, or {@code notify} processes) with the same
 * {@code application.id} share each output's partitions. Outputs whose configuration is wrong are
 * reported at start (one line each) and listed as BROKEN; the others run.
 */
public final class OutputEngine implements OutputControl, AutoCloseable {
  private final CollectorConfig config;
  private final MeterRegistry registry;
  private final PrintStream out;
  private final String consoleUrl;
  private final Map<String, OutputState> states = new LinkedHashMap<>();
  private final Map<String, OutputSpec> specs = new LinkedHashMap<>();
  private final Map<String, OutputWorker> workers = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private @Nullable DeadLetters deadLetters;

  /**
   * @param config with {@code bootstrap.servers} set (the embedded broker's address when embedded)
   * @param consoleUrl the console's address for links in messages ("" when none)
   */
  public OutputEngine(
      CollectorConfig config, MeterRegistry registry, PrintStream out, String consoleUrl) {
    this.config = config;
    this.registry = registry;
    this.out = out;
    this.consoleUrl = consoleUrl;
  }

  public OutputEngine start() {
    OutputSpecs.Parsed parsed = OutputSpecs.parse(config.outputTexts(), consoleUrl);
    parsed
        .broken()
        .forEach(
            (name, problem) -> {
              out.println(
                  "tripline: output '" + name + "' is off: " + problem + " (the others run)");
              states.put(name, new OutputState(name, "?", "", "BROKEN", problem, registry));
            });
    if (parsed.outputs().isEmpty()) {
      return this;
    }
    Properties client = new Properties();
    client.putAll(config.kafkaClientProperties());
    client.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.get(CollectorKeys.BOOTSTRAP_SERVERS));
    DeadLetters dl = new DeadLetters(client, config.get(CollectorKeys.TOPIC_DEADLETTER));
    deadLetters = dl;
    for (OutputSpec spec : parsed.outputs()) {
      String filter = spec.filter().describeOrNull();
      OutputState state =
          new OutputState(
              spec.name(), spec.type(), filter == null ? "all alerts" : filter, "OK", "", registry);
      states.put(spec.name(), state);
      specs.put(spec.name(), spec);
      OutputWorker w =
          new OutputWorker(
              spec,
              state,
              client,
              config.get(CollectorKeys.APPLICATION_ID) + "-output-" + spec.name(),
              config.get(CollectorKeys.TOPIC_ALERTS),
              config.get(CollectorKeys.TOPIC_ACTIONS),
              dl,
              out);
      workers.put(spec.name(), w);
      Thread t = new Thread(w, "tripline-output-" + spec.name());
      t.setDaemon(true);
      threads.add(t);
      t.start();
      out.println(
          "Output '"
              + spec.name()
              + "' ("
              + spec.type()
              + ") delivers "
              + (filter == null ? "every alert" : "alerts with " + filter));
    }
    return this;
  }

  /** Waits until every running output's consumer holds its partitions; false on timeout. */
  public boolean awaitAssigned(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (OutputWorker w : workers.values()) {
      if (!w.awaitAssigned(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        return false;
      }
    }
    return true;
  }

  /** How many outputs run (broken ones not counted). */
  public int running() {
    return workers.size();
  }

  @Override
  public List<OutputStatus> outputs() {
    return states.values().stream().map(OutputState::view).toList();
  }

  @Override
  public Optional<TestResult> test(String name) {
    OutputSpec spec = specs.get(name);
    OutputState state = states.get(name);
    if (state == null) {
      return Optional.empty();
    }
    if (spec == null) {
      return Optional.of(new TestResult(name, false, "broken: " + state.error()));
    }
    long now = System.currentTimeMillis();
    Alert test =
        Alert.newBuilder()
            .setId("test-" + name + "-" + now)
            .setTimeMs(now)
            .setLastSeenMs(now)
            .setSeverity(Severity.INFO)
            .setService("tripline-test")
            .setTitle("Test alert from Tripline (output '" + name + "')")
            .setDescription("Sent by POST /api/outputs/" + name + "/test; nothing happened.")
            .setCount(1)
            .setState(AlertState.OPEN)
            .build();
    Delivery d;
    try {
      d = spec.sender().send(new Notice(Notice.Kind.TEST, test));
    } catch (RuntimeException e) {
      d = new Delivery.Failed("internal error: " + e);
    }
    if (d instanceof Delivery.Retry r) {
      return Optional.of(new TestResult(name, false, r.reason()));
    }
    if (d instanceof Delivery.Failed f) {
      return Optional.of(new TestResult(name, false, f.reason()));
    }
    return Optional.of(new TestResult(name, true, ""));
  }

  @Override
  public void close() {
    workers.values().forEach(OutputWorker::stop);
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    specs.values().forEach(s -> s.sender().close());
    if (deadLetters != null) {
      deadLetters.close();
      deadLetters = null;
    }
  }
}
