package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.Schema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Real topics on the real broker, and events as an agent would send them. */
public final class PipelineFixtures implements AutoCloseable {
  public final CollectorConfig config;
  final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> alerts;
  final List<Alert> alertsSeen = new ArrayList<>();

  public PipelineFixtures(EmbeddedKafka kafka, Path dataDir, int partitions, String... settings) {
    String id = "t" + UUID.randomUUID().toString().substring(0, 8);
    CollectorConfig.Builder b =
        CollectorConfig.builder()
            .set("bootstrap.servers", kafka.bootstrapServers())
            .set("application.id", "tripline-" + id)
            .set("data.dir", dataDir.toString())
            .set("topic.partitions", Integer.toString(partitions))
            // learning ends when a test says so (learn(), or an analyst action), never by a clock
            // a loaded machine can miss: a service first seen stays LEARNING for the whole test
            .set("learning.period", "1h")
            .set("learning.quiet", "1s")
            .set("streams.commit.interval", "100ms");
    for (String t : List.of("events", "alerts", "alerts.json", "deadletter", "actions")) {
      b.set("topic." + t, id + "." + t);
    }
    for (int i = 0; i + 1 < settings.length; i += 2) {
      b.set(settings[i], settings[i + 1]);
    }
    config = b.build();
    CollectorTopics.ensure(config, kafka.bootstrapServers());
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    alerts = consumer(kafka, config.get(CollectorKeys.TOPIC_ALERTS));
  }

  DetectionPipeline pipeline(String stateDir) {
    return pipeline(stateDir, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  public DetectionPipeline pipeline(
      String stateDir, io.micrometer.core.instrument.MeterRegistry registry) {
    return new DetectionPipeline(config.with("data.dir", stateDir), registry).start();
  }

  /**
   * Normal traffic, learned; then an analyst ends learning (SET_MONITORING) and the profile is
   * MONITORING: the state the test needs before its attack, reached by conditions only.
   */
  public static void learn(
      PipelineFixtures f, dev.tripline.collector.api.AnalystBackend backend, String service)
      throws Exception {
    f.send(
        service,
        connect("db.internal", 5432),
        read("/etc/shop/app.conf"),
        spawn("/usr/bin/git", "status"));
    org.awaitility.Awaitility.await("the normal traffic of " + service + " learned")
        .atMost(Patience.WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> backend.profile(service).map(p -> p.getEntriesCount() >= 3).orElse(false));
    backend.submit(
        dev.tripline.model.AnalystAction.newBuilder()
            .setType(dev.tripline.model.AnalystAction.ActionType.SET_MONITORING)
            .setService(service)
            .setActor("test")
            .build());
    org.awaitility.Awaitility.await(service + " monitoring")
        .atMost(Patience.WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                backend
                    .profile(service)
                    .map(p -> p.getState() == dev.tripline.model.ProfileState.MONITORING)
                    .orElse(false));
  }

  static KafkaConsumer<String, byte[]> consumer(EmbeddedKafka kafka, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** All alerts published on tripline.alerts so far (polls what is new). */
  public List<Alert> alerts() throws Exception {
    for (ConsumerRecord<String, byte[]> r : alerts.poll(Duration.ofMillis(200))) {
      alertsSeen.add(Alert.parseFrom(r.value()));
    }
    return alertsSeen;
  }

  public void send(String service, Event... events) throws Exception {
    send(service, "i-1", events);
  }

  public void send(String service, String instance, Event... events) throws Exception {
    EventBatch b =
        EventBatch.newBuilder()
            .setSchemaVersion(Schema.VERSION)
            .setAgent(
                AgentIdentity.newBuilder().setService(service).setInstanceId(instance).setHost("h"))
            .addAllEvents(List.of(events))
            .build();
    producer
        .send(
            new ProducerRecord<>(config.get(CollectorKeys.TOPIC_EVENTS), service, b.toByteArray()))
        .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static CallSite site(String method) {
    return CallSite.newBuilder()
        .setClassName("com.acme.Shop")
        .setMethodName(method)
        .setLineNumber(42)
        .setJarName("shop.jar")
        .build();
  }

  public static Event connect(String host, int port) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setSuccess(true)
        .setCount(1)
        .setNetwork(
            NetworkTarget.newBuilder()
                .setHost(host)
                .setIp("10.0.0.9")
                .setPort(port)
                .setProtocol("tcp"))
        .setCallSite(site("call"))
        .build();
  }

  public static Event read(String path) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setSuccess(true)
        .setCount(1)
        .setFile(FileTarget.newBuilder().setPath(path))
        .setCallSite(site("load"))
        .build();
  }

  public static Event spawn(String... argv) {
    return Event.newBuilder()
        .setKind(EventKind.PROCESS_SPAWN)
        .setSuccess(true)
        .setCount(1)
        .setProcess(ProcessTarget.newBuilder().setExecutable(argv[0]).addAllArgv(List.of(argv)))
        .setCallSite(site("run"))
        .build();
  }

  /**
   * Waits until the collector has processed every record on the events topic at the time of the
   * call (its consumer group's committed offsets reach the topic's end offsets): whatever an agent
   * sent before it stopped has been judged. A condition, never a wall-clock window: on a loaded
   * machine an agent's last batch may be judged long after it was sent.
   */
  public void awaitConsumed() throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", config.get(CollectorKeys.BOOTSTRAP_SERVERS));
    String topic = config.get(CollectorKeys.TOPIC_EVENTS);
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicPartitionInfo info :
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
        latest.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      org.awaitility.Awaitility.await("the collector consumed " + ends)
          .atMost(Patience.WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin
                        .listConsumerGroupOffsets(config.get(CollectorKeys.APPLICATION_ID))
                        .partitionsToOffsetAndMetadata()
                        .get();
                return ends.entrySet().stream()
                    .allMatch(
                        en ->
                            en.getValue().offset() == 0
                                || (committed.get(en.getKey()) != null
                                    && committed.get(en.getKey()).offset()
                                        >= en.getValue().offset()));
              });
    }
  }

  /**
   * Every alert of {@code service} as the collector last published it, read from its alert-view
   * topic to the end (committed records only): after {@link #awaitConsumed}, exactly what the
   * judged records raised, with no query view that may still be catching up.
   */
  public Map<String, Alert> publishedAlerts(String service) throws Exception {
    Map<String, Alert> out = new HashMap<>();
    Properties p = new Properties();
    p.put("bootstrap.servers", config.get(CollectorKeys.BOOTSTRAP_SERVERS));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = Names.alertViewTopic(config);
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      long deadline = System.nanoTime() + Patience.WAIT.toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the alert view was not read to its end in " + Patience.WAIT);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            out.remove(r.key());
            continue;
          }
          Alert a = Alert.parseFrom(r.value());
          if (a.getService().equals(service)) {
            out.put(r.key(), a);
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    producer.close();
    alerts.close();
  }
}
