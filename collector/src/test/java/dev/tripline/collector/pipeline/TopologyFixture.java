package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The collector's real detection topology in Kafka Streams' {@link TopologyTestDriver}: no broker,
 * and the wall clock (learning periods, rate windows) advanced by the test instead of waited for.
 */
final class TopologyFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

  final CollectorConfig config;
  final TopologyTestDriver driver;
  final DetectionPipeline pipeline;
  private final TestInputTopic<String, byte[]> events;
  private final TestInputTopic<String, byte[]> actions;
  private final TestOutputTopic<String, byte[]> alertsOut;
  private final TestOutputTopic<String, byte[]> jsonOut;
  private final TestOutputTopic<String, byte[]> alertViews;
  private final TestOutputTopic<String, byte[]> profileViews;
  private final TestOutputTopic<String, byte[]> audit;
  final TestOutputTopic<byte[], byte[]> deadLetters;
  private final List<Alert> alerts = new ArrayList<>();
  private final List<String> json = new ArrayList<>();
  private final java.util.Map<String, Alert> alertView = new java.util.HashMap<>();
  private final java.util.Map<String, ServiceProfile> profileView = new java.util.HashMap<>();
  private final List<AnalystAction> actionsSeen = new ArrayList<>();
  private long elapsedMs;

  TopologyFixture(Path dir, String... settings) {
    CollectorConfig.Builder b =
        CollectorConfig.builder()
            .set("bootstrap.servers", "127.0.0.1:9") // never contacted
            .set("application.id", "tripline-topology-test")
            .set("data.dir", dir.toString())
            .set("learning.period", "2s")
            .set("learning.quiet", "1s");
    for (int i = 0; i + 1 < settings.length; i += 2) {
      b.set(settings[i], settings[i + 1]);
    }
    config = b.build();
    pipeline = new DetectionPipeline(config, new SimpleMeterRegistry());
    Properties props = pipeline.properties();
    driver =
        new TopologyTestDriver(
            pipeline.topology(props, 1, () -> START.toEpochMilli() + elapsedMs), props, START);
    StringSerializer keys = new StringSerializer();
    ByteArraySerializer values = new ByteArraySerializer();
    events =
        driver.createInputTopic(
            config.get(CollectorKeys.TOPIC_EVENTS), keys, values, START, Duration.ZERO);
    actions =
        driver.createInputTopic(
            config.get(CollectorKeys.TOPIC_ACTIONS), keys, values, START, Duration.ZERO);
    StringDeserializer strings = new StringDeserializer();
    ByteArrayDeserializer bytes = new ByteArrayDeserializer();
    alertsOut = driver.createOutputTopic(config.get(CollectorKeys.TOPIC_ALERTS), strings, bytes);
    jsonOut = driver.createOutputTopic(config.get(CollectorKeys.TOPIC_ALERTS_JSON), strings, bytes);
    alertViews = driver.createOutputTopic(Names.alertViewTopic(config), strings, bytes);
    profileViews = driver.createOutputTopic(Names.profileViewTopic(config), strings, bytes);
    audit = driver.createOutputTopic(Names.auditTopic(config), strings, bytes);
    deadLetters =
        driver.createOutputTopic(
            config.get(CollectorKeys.TOPIC_DEADLETTER), new ByteArrayDeserializer(), bytes);
  }

  void send(String service, Event... batch) {
    events.pipeInput(
        service,
        EventBatch.newBuilder()
            .setSchemaVersion(Schema.VERSION)
            .setAgent(
                AgentIdentity.newBuilder().setService(service).setInstanceId("i-1").setHost("h"))
            .addAllEvents(List.of(batch))
            .build()
            .toByteArray(),
        now());
  }

  void sendRaw(String key, byte[] value) {
    events.pipeInput(key, value, now());
  }

  void act(AnalystAction action) {
    actions.pipeInput(action.getService(), action.toByteArray(), now());
  }

  /**
   * Moves the wall clock on: punctuations (learning's end, rate windows) run as they would have.
   */
  void advance(Duration d) {
    driver.advanceWallClockTime(d);
    elapsedMs += d.toMillis();
  }

  /** The driver's wall clock (record timestamps follow it). */
  Instant now() {
    return START.plusMillis(elapsedMs);
  }

  /** Every alert published on the alerts topic so far. */
  List<Alert> alerts() {
    alertsOut.readValuesToList().forEach(v -> alerts.add(parse(v, Alert.parser())));
    return alerts;
  }

  /** Every OCSF document published on the JSON topic so far. */
  List<String> json() {
    jsonOut
        .readValuesToList()
        .forEach(v -> json.add(new String(v, java.nio.charset.StandardCharsets.UTF_8)));
    return json;
  }

  /** The latest stored version of an alert, as the console sees it. */
  Optional<Alert> alert(String id) {
    alertViews
        .readKeyValuesToList()
        .forEach(kv -> alertView.put(kv.key, parse(kv.value, Alert.parser())));
    return Optional.ofNullable(alertView.get(id));
  }

  /** The latest published profile of a service. */
  Optional<ServiceProfile> profile(String service) {
    profileViews
        .readKeyValuesToList()
        .forEach(
            kv -> {
              if (kv.value == null) {
                profileView.remove(kv.key); // a retired service's tombstone
              } else {
                profileView.put(kv.key, parse(kv.value, ServiceProfile.parser()));
              }
            });
    return Optional.ofNullable(profileView.get(service));
  }

  List<AnalystAction> audit() {
    audit.readValuesToList().forEach(v -> actionsSeen.add(parse(v, AnalystAction.parser())));
    return actionsSeen;
  }

  private static <T> T parse(byte[] bytes, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
