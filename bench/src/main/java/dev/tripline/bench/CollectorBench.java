package dev.tripline.bench;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Schema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The collector on this machine: events per second through detection (a backlog of agent batches
 * drained by the real topology, exactly-once), and latency from an agent's hook in a real JVM to
 * the alert readable (read_committed) on {@code tripline.alerts}.
 */
final class CollectorBench {
  private static final int SERVICES = 100;
  private static final int BATCHES = 20_000;
  private static final int EVENTS_PER_BATCH = 100;
  private static final int BEHAVIOURS_PER_SERVICE = 60;
  private static final int LATENCY_SAMPLES = 200;

  private final EmbeddedKafka kafka;
  private final Path agentJar;
  private final Report report;

  CollectorBench(EmbeddedKafka kafka, Path agentJar, Report report) {
    this.kafka = kafka;
    this.agentJar = agentJar;
    this.report = report;
  }

  void run() throws Exception {
    String id = "bench-" + UUID.randomUUID().toString().substring(0, 6);
    // Not under /tmp: the collector rightly folds every temp file into one behaviour.
    Path dir = Files.createDirectories(Path.of("target", id).toAbsolutePath());
    CollectorConfig.Builder b =
        CollectorConfig.builder()
            .set("bootstrap.servers", kafka.bootstrapServers())
            .set("application.id", id)
            .set("data.dir", dir.toString())
            .set("topic.partitions", "2")
            .set("streams.threads", "2")
            .set("learning.period", "1h");
    for (String t : List.of("events", "alerts", "alerts.json", "deadletter", "actions")) {
      b.set("topic." + t, id + "." + t);
    }
    CollectorConfig config = b.build();
    CollectorTopics.ensure(config, kafka.bootstrapServers());
    String eventsTopic = config.get(CollectorKeys.TOPIC_EVENTS);

    System.out.println(
        "  producing "
            + BATCHES
            + " batches of "
            + EVENTS_PER_BATCH
            + " events from "
            + SERVICES
            + " services");
    produceBacklog(eventsTopic);
    long backlog = (long) BATCHES * EVENTS_PER_BATCH;
    try (DetectionPipeline pipeline =
            new DetectionPipeline(config, new SimpleMeterRegistry()).start();
        Admin admin = kafka.admin()) {
      // Timed from the first commit to the last, so start-up and rebalancing are not counted.
      long firstAt = 0;
      long firstCommitted = 0;
      ThreadCpu cpuAtFirst = ThreadCpu.now();
      long committed = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (committed < BATCHES) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "collector drained only " + committed + " of " + BATCHES + " batches in 10 min");
        }
        Thread.sleep(50);
        committed = committed(admin, id, eventsTopic);
        if (firstAt == 0 && committed > 0) {
          firstAt = System.nanoTime();
          firstCommitted = committed;
          cpuAtFirst = ThreadCpu.now();
        }
      }
      double seconds = (System.nanoTime() - firstAt) / 1e9;
      ThreadCpu cpuAtLast = ThreadCpu.now();
      long events = (committed - firstCommitted) * EVENTS_PER_BATCH;
      System.out.printf(
          "  drained %d batches in %.1f s after the first commit%n",
          committed - firstCommitted, seconds);
      System.out.print(ThreadCpu.describe(cpuAtFirst, cpuAtLast, events));
      System.out.print(topicBytes(admin, id));
      double batchesPerSecond = (committed - firstCommitted) / seconds;
      report.collector(
          "throughput, "
              + backlog
              + " events in "
              + BATCHES
              + " batches of "
              + EVENTS_PER_BATCH
              + ", "
              + SERVICES
              + " services, 2 partitions, 2 stream threads, exactly-once",
          String.format(
              Locale.ROOT,
              "%,.0f events/s (%,.0f batches/s)",
              batchesPerSecond * EVENTS_PER_BATCH,
              batchesPerSecond),
          "≥ 200,000 events/s");
      report.collector(
          "CPU per event over the same stretch: the whole process (broker included) / the stream"
              + " threads (less noisy than events/s on a shared machine)",
          String.format(
              Locale.ROOT,
              "%.2f µs / %.2f µs",
              cpuAtLast.processSince(cpuAtFirst) / 1e3 / events,
              cpuAtLast.rolesSince(cpuAtFirst).getOrDefault("streams: stream threads", 0L)
                  / 1e3
                  / events),
          "—");

      // -Dbench.collector.latency=false: throughput and CPU only (alternating rounds go faster)
      if (Boolean.parseBoolean(System.getProperty("bench.collector.latency", "true"))) {
        latency(pipeline, config, dir);
      }
    }
  }

  private void produceBacklog(String topic) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    Random random = new Random(42);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < BATCHES; i++) {
        String service = "svc-" + (i % SERVICES);
        EventBatch.Builder batch =
            EventBatch.newBuilder()
                .setSchemaVersion(Schema.VERSION)
                .setSequence(i)
                .setAgent(
                    AgentIdentity.newBuilder()
                        .setService(service)
                        .setInstanceId(service + "-" + (i % 3))
                        .setHost("node-" + (i % 7)));
        for (int e = 0; e < EVENTS_PER_BATCH; e++) {
          batch.addEvents(
              behaviour(random.nextInt(BEHAVIOURS_PER_SERVICE), 1 + random.nextInt(20)));
        }
        producer.send(new ProducerRecord<>(topic, service, batch.build().toByteArray()));
      }
      producer.flush();
    }
  }

  /** One of a service's usual behaviours: connections, config reads and log writes. */
  private static Event behaviour(int k, int count) {
    long now = System.currentTimeMillis();
    Event.Builder e =
        Event.newBuilder()
            .setSuccess(true)
            .setCount(count)
            .setFirstSeenMs(now)
            .setLastSeenMs(now)
            .setCallSite(
                CallSite.newBuilder()
                    .setClassName("com.acme.orders.Repository" + (k % 5))
                    .setMethodName("call")
                    .setLineNumber(40 + k)
                    .setJarName("orders-2.3.1.jar"));
    if (k % 3 == 0) {
      return e.setKind(EventKind.NET_CONNECT)
          .setNetwork(
              NetworkTarget.newBuilder()
                  .setHost("db-" + k + ".internal")
                  .setIp("10.0.3." + k)
                  .setPort(5432)
                  .setProtocol("tcp"))
          .build();
    }
    return e.setKind(k % 3 == 1 ? EventKind.FILE_READ : EventKind.FILE_WRITE)
        .setFile(
            FileTarget.newBuilder()
                .setPath(
                    "/srv/orders/conf/part-"
                        + (char) ('g' + k % 20)
                        + "/settings-"
                        + (char) ('g' + k / 20)))
        .build();
  }

  /**
   * Bytes each of the run's topics holds on the broker (in the same JVM: what the collector writes
   * there costs the same CPU), by topic name without the run's id.
   */
  private static String topicBytes(Admin admin, String id) throws Exception {
    Map<String, Long> bytes = new java.util.TreeMap<>();
    List<Integer> brokers =
        admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
            .map(org.apache.kafka.common.Node::id)
            .toList();
    admin
        .describeLogDirs(brokers)
        .allDescriptions()
        .get(10, TimeUnit.SECONDS)
        .values()
        .forEach(
            dirs ->
                dirs.values()
                    .forEach(
                        d ->
                            d.replicaInfos()
                                .forEach(
                                    (tp, r) -> {
                                      if (tp.topic().contains(id)) {
                                        bytes.merge(
                                            tp.topic().replace(id, "<app>"), r.size(), Long::sum);
                                      }
                                    })));
    StringBuilder out = new StringBuilder("  topic bytes:");
    bytes.forEach((t, n) -> out.append(String.format(Locale.ROOT, " %s=%,d", t, n)));
    return out.append(System.lineSeparator()).toString();
  }

  private static long committed(Admin admin, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(10, TimeUnit.SECONDS);
    long sum = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> o : offsets.entrySet()) {
      if (o.getKey().topic().equals(topic) && o.getValue() != null) {
        sum += o.getValue().offset();
      }
    }
    return sum; // the backlog was produced without transactions: offsets count records exactly
  }

  /**
   * Hook-to-alert latency from a real JVM with the agent attached, once its service is monitored.
   */
  private void latency(DetectionPipeline pipeline, CollectorConfig config, Path dir)
      throws Exception {
    Path work = Files.createDirectories(dir.resolve("latency-app"));
    String service = "latency-svc";
    List<String> cmd =
        Forked.command(
            List.of(
                "-javaagent:" + agentJar.toAbsolutePath(),
                "-Dtripline.service.name=" + service,
                "-Dtripline.kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dtripline.kafka.topic=" + config.get(CollectorKeys.TOPIC_EVENTS)),
            LatencyApp.class.getName(),
            work.toString(),
            Integer.toString(LATENCY_SAMPLES));
    Process app =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("out.txt").toFile())
            .start();
    try (KafkaConsumer<String, byte[]> alerts =
        alertConsumer(config.get(CollectorKeys.TOPIC_ALERTS))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (pipeline.backend().profile(service).isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the collector never saw "
                  + service
                  + ": "
                  + Files.readString(work.resolve("out.txt")));
        }
        Thread.sleep(100);
      }
      pipeline
          .backend()
          .submit(
              AnalystAction.newBuilder()
                  .setId(UUID.randomUUID().toString())
                  .setTimeMs(System.currentTimeMillis())
                  .setActor("bench")
                  .setType(AnalystAction.ActionType.SET_MONITORING)
                  .setService(service)
                  .build());
      while (pipeline
          .backend()
          .profile(service)
          .map(p -> p.getState() != ProfileState.MONITORING)
          .orElse(true)) {
        Thread.sleep(100);
      }
      alerts.poll(Duration.ofMillis(500)); // joined and positioned before the first new behaviour
      Files.writeString(work.resolve("go"), "");

      List<Long> latencies = new ArrayList<>();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (latencies.size() < LATENCY_SAMPLES && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : alerts.poll(Duration.ofMillis(100))) {
          long received = System.currentTimeMillis();
          Alert a = Alert.parseFrom(r.value());
          if (a.getService().equals(service)
              && a.getReason() == AlertReason.NEW_FILE_ACCESS
              && a.getCount() == 1
              && a.getEvent().getFile().getPath().contains("/report-")) {
            latencies.add(received - a.getEvent().getFirstSeenMs());
          }
        }
      }
      if (latencies.size() < LATENCY_SAMPLES) {
        throw new IllegalStateException(
            "only " + latencies.size() + " of " + LATENCY_SAMPLES + " alerts arrived");
      }
      report.collector(
          "latency, hook in a JVM with the agent → alert read (read_committed) from the alerts topic, "
              + LATENCY_SAMPLES
              + " new behaviours",
          String.format(
              Locale.ROOT,
              "p50 %.0f ms, p99 %.0f ms, max %.0f ms",
              Forked.percentile(latencies, 50),
              Forked.percentile(latencies, 99),
              Forked.percentile(latencies, 100)),
          "p99 < 1 s");
    } finally {
      app.destroy();
    }
  }

  private KafkaConsumer<String, byte[]> alertConsumer(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }
}
