package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.collector.kafka.ServiceTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The topology's inputs: the per-service event topics {@code <topic.events>.<service>} (subscribed
 * by pattern: the service is bound to the topic, hence to the principals allowed to write it), the
 * shared {@code topic.events} unless {@code topic.events.shared=false} (it trusts the service the
 * payload names), and the actions topic; each through its parser.
 */
final class EventSources {
  static final String SERVICE_EVENTS_SOURCE = "service-events";

  /** How soon a new service topic is subscribed: the main consumer's metadata refresh. */
  static final String DISCOVERY_MS = "5000";

  private EventSources() {}

  static void wire(
      Topology t,
      CollectorConfig config,
      Meters meters,
      Bounds bounds,
      MeterRegistry registry,
      int actionPartitions,
      java.util.function.Predicate<String> ownTopic) {
    ByteArrayDeserializer bytes = new ByteArrayDeserializer();
    String events = config.get(CollectorKeys.TOPIC_EVENTS);
    List<String> eventSources = new ArrayList<>();
    if (config.get(CollectorKeys.TOPIC_EVENTS_SHARED)) {
      t.addSource(Names.EVENTS_SOURCE, bytes, bytes, events);
      eventSources.add(Names.EVENTS_SOURCE);
    }
    t.addSource(SERVICE_EVENTS_SOURCE, bytes, bytes, ServiceTopics.pattern(events));
    eventSources.add(SERVICE_EVENTS_SOURCE);
    t.addSource(Names.ACTIONS_SOURCE, bytes, bytes, config.get(CollectorKeys.TOPIC_ACTIONS));

    EdgeMeters edgeMeters = new EdgeMeters(registry);
    Parsers.Edge edge = new Parsers.Edge(bounds.input(), bounds.poison(), meters, edgeMeters);
    Sanitizer sanitizer = new Sanitizer(edgeMeters);
    AtomicBoolean capReported = new AtomicBoolean();
    int max = config.get(CollectorKeys.SERVICES_MAX);
    t.addProcessor(
        Names.PARSE_EVENTS,
        () ->
            new Parsers.Parse(
                Parsers.EVENT_BATCH,
                events,
                edge,
                new Parsers.EventChecks(
                    events,
                    actionPartitions,
                    sanitizer,
                    new ServiceCap(max, capReported),
                    ownTopic,
                    bounds.strings())),
        eventSources.toArray(String[]::new));
    t.addProcessor(
        Names.PARSE_ACTIONS,
        () -> new Parsers.Parse(Parsers.ACTION, config.get(CollectorKeys.TOPIC_ACTIONS), edge),
        Names.ACTIONS_SOURCE);
  }

  /**
   * The events parser reads the profiles store (is this service new?); call once the store is
   * added.
   */
  static void connectStores(Topology t) {
    t.connectProcessorAndStateStores(Names.PARSE_EVENTS, Names.PROFILES_STORE);
  }

  /** Partitions of the actions topic, which a service's events must agree with (same task). */
  static int actionPartitions(CollectorConfig config, Properties streamsProps) {
    return CollectorTopics.partitions(
        config,
        streamsProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG),
        config.get(CollectorKeys.TOPIC_ACTIONS));
  }

  /** A new service topic is picked up within seconds, not Kafka's default five minutes. */
  static void consumerSettings(Properties streamsProps) {
    streamsProps.putIfAbsent(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), DISCOVERY_MS);
  }
}
