package dev.tripline.collector.pipeline;

import com.google.protobuf.MessageLite;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.detect.Classifier;
import dev.tripline.collector.detect.Detection;
import dev.tripline.collector.detect.RateModel;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.collector.kafka.ServiceTopicOwners;
import dev.tripline.kafka.Topics;
import dev.tripline.model.Alert;
import dev.tripline.model.judge.KnownBadRules;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.Stores;
import org.jspecify.annotations.Nullable;

/**
 * The detection pipeline on Kafka Streams:
 *
 * <pre>
 * tripline.events  ─► parse-events  ─┐                        ┌─► tripline.alerts (protobuf)
 *                                     ├─► detect (profiles,  ─┼─► tripline.alerts.json (OCSF)
 * tripline.actions ─► parse-actions ─┘     alerts stores)     ├─► &lt;app&gt;.alert-view / .profile-view / .audit
 *        (unparseable records ─► tripline.deadletter)         │        └─► global stores: any instance answers the console
 * </pre>
 *
 * Exactly-once, in-memory stores with changelog topics: a restarted or second instance resumes from
 * the changelog without relearning and without duplicate alerts.
 */
public final class DetectionPipeline implements AutoCloseable {
  private final CollectorConfig config;
  private final MeterRegistry registry;
  private KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;
  private StoreBackend backend;
  private volatile @Nullable HealthMonitor healthMonitor;
  private final Meters meters;
  private final Bounds bounds;
  private final ServiceTopicOwners owners;

  public DetectionPipeline(CollectorConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.meters = new Meters(registry);
    this.bounds = Bounds.of(config, meters);
    this.owners = new ServiceTopicOwners(config.get(CollectorKeys.TOPIC_EVENTS));
  }

  /** The Kafka Streams settings of this pipeline (no broker is contacted). */
  Properties properties() {
    Properties props = streamsProperties(config.get(CollectorKeys.BOOTSTRAP_SERVERS));
    EventSources.consumerSettings(props);
    props.put(
        StreamErrors.CONFIG,
        new StreamErrors(
            config.get(CollectorKeys.TOPIC_DEADLETTER),
            meters,
            config.get(CollectorKeys.RECORD_MAX_BYTES),
            java.util.Set.of(
                Names.alertViewTopic(config),
                Names.profileViewTopic(config),
                Names.auditTopic(config))));
    return props;
  }

  /** Builds the topology, starts it and waits until it runs. */
  public DetectionPipeline start() {
    String bootstrap = config.get(CollectorKeys.BOOTSTRAP_SERVERS);
    ensureViewTopics(bootstrap);
    // Asked before the first record: which services the shared topic may no longer speak for.
    owners.start(CollectorTopics.clientProperties(config, bootstrap));
    Properties props = properties();
    Topology topology = topology(props, EventSources.actionPartitions(config, props));
    streams =
        new KafkaStreams(topology, props, new BoundedClients(bounds.input(), this::readFailed));
    if (!bounds.input().heapNote().isEmpty()) {
      System.err.println("[tripline] " + bounds.input().heapNote());
    }
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
        });
    healthMonitor =
        new HealthMonitor(
            config.get(CollectorKeys.HEALTH_STUCK_AFTER),
            config.get(CollectorKeys.HEALTH_FAILURE_HOLD),
            config.get(CollectorKeys.STREAMS_THREADS));
    streams.setUncaughtExceptionHandler(this::threadFailed);
    meters.health(this::health);
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    streams.start();
    try {
      if (!running.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "Kafka Streams did not reach RUNNING within 120 s (state " + streams.state() + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
    backend = new StoreBackend(streams, config, bootstrap, this::health);
    return this;
  }

  public AnalystBackend backend() {
    return backend;
  }

  /**
   * The main consumer could not allocate a record (larger than the free heap): it skips it (the
   * parser dead-letters it), and /health says so for health.failure.hold.
   */
  private void readFailed(OutOfMemoryError e) {
    meters.outOfMemory("read");
    System.err.println(
        "[tripline] out of memory reading a record from Kafka, skipping the record: " + e);
    HealthMonitor h = healthMonitor;
    if (h != null) {
      h.outOfMemory(
          e, "reading a record larger than the heap; skipped", System.currentTimeMillis());
    }
  }

  /**
   * On the dying thread: charge the record it was on (after poison.max.tries it is dead-lettered
   * and skipped), tell /health, and replace a stream thread; a dead global thread stops Kafka
   * Streams (it cannot be replaced), which /health reports.
   */
  private StreamThreadExceptionResponse threadFailed(Throwable e) {
    PoisonGuard.Position charged = bounds.poison().threadFailed(e);
    String blame =
        charged != null
            ? "charged to " + charged
            : e instanceof OutOfMemoryError
                ? "outside any record's processing, charged to none: a record whose decompressed"
                    + " value the heap cannot hold is read whole by Kafka's consumer"
                : "charged to no record";
    meters.threadFailed(e instanceof OutOfMemoryError ? "out_of_memory" : "other");
    if (e instanceof OutOfMemoryError) {
      meters.outOfMemory("thread");
    }
    HealthMonitor h = healthMonitor;
    if (h != null) {
      h.threadFailed(e, blame, System.currentTimeMillis());
    }
    boolean global = Thread.currentThread().getName().contains("GlobalStreamThread");
    System.err.println(
        "[tripline] "
            + (global
                ? "global thread failed, Kafka Streams stops: "
                : "stream thread failed, replacing it: ")
            + e
            + " ("
            + blame
            + ")");
    return global
        ? StreamThreadExceptionResponse.SHUTDOWN_CLIENT
        : StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** The poison-record guard (tests make a record fail through it). */
  PoisonGuard poisonGuard() {
    return bounds.poison();
  }

  public KafkaStreams.State state() {
    return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
  }

  /**
   * DOWN with the reason when Kafka Streams has failed, has been out of RUNNING too long, or an
   * input partition has records waiting and its committed offset has not moved for {@code
   * health.stuck.after}.
   */
  public AnalystBackend.Health health() {
    HealthMonitor monitor = healthMonitor;
    if (streams == null || monitor == null) {
      return AnalystBackend.Health.down("not started");
    }
    int live;
    try {
      live = streams.metadataForLocalThreads().size();
    } catch (RuntimeException e) {
      live = 0; // not running: the state decides
    }
    return monitor.evaluate(
        streams.state(),
        inputOffsets(),
        live,
        bounds.poison().lastFailure(),
        System.currentTimeMillis());
  }

  /** Per input partition of this instance's active tasks: the committed and the end offset. */
  Map<String, HealthMonitor.Offsets> inputOffsets() {
    Map<String, HealthMonitor.Offsets> partitions = new java.util.TreeMap<>();
    try {
      for (org.apache.kafka.streams.ThreadMetadata thread : streams.metadataForLocalThreads()) {
        for (org.apache.kafka.streams.TaskMetadata task : thread.activeTasks()) {
          task.endOffsets()
              .forEach(
                  (tp, end) -> {
                    Long committed = task.committedOffsets().get(tp);
                    if (end != null && end >= 0) {
                      partitions.put(
                          tp.toString(),
                          new HealthMonitor.Offsets(committed == null ? -1 : committed, end));
                    }
                  });
        }
      }
    } catch (RuntimeException e) {
      // not started or shutting down: the state alone decides
    }
    return partitions;
  }

  /** The detection topology on the system clock. */
  Topology topology(Properties props, int actionPartitions) {
    return topology(props, actionPartitions, System::currentTimeMillis);
  }

  /**
   * The detection topology (no broker is contacted: topology tests run it in a TopologyTestDriver,
   * on its wall clock).
   */
  Topology topology(Properties props, int actionPartitions, java.util.function.LongSupplier clock) {
    Detection.Settings settings =
        new Detection.Settings(
            config.get(CollectorKeys.LEARNING_PERIOD),
            config.get(CollectorKeys.LEARNING_QUIET),
            config.get(CollectorKeys.RATE_WINDOW),
            new Classifier(KnownBadRules.load(config.get(CollectorKeys.RULES_FILE)), 200_000),
            new RateModel(config.get(CollectorKeys.RATE_THRESHOLD)),
            config.get(CollectorKeys.DETECT_CODE_OWNER),
            Detection.maxLearning(
                config.get(CollectorKeys.LEARNING_PERIOD), config.get(CollectorKeys.LEARNING_MAX)),
            config.get(CollectorKeys.LEARNING_VERSION_GRACE),
            config.get(CollectorKeys.LIVENESS_SILENT_AFTER));
    StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
    // Read-only copies for queries, on every instance.
    builder.globalTable(
        Names.alertViewTopic(config),
        Consumed.with(Serdes.String(), Serdes.ByteArray()),
        Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore(Names.ALERT_VIEW_STORE)));
    builder.globalTable(
        Names.profileViewTopic(config),
        Consumed.with(Serdes.String(), Serdes.ByteArray()),
        Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore(Names.PROFILE_VIEW_STORE)));
    builder.globalTable(
        Names.auditTopic(config),
        Consumed.with(Serdes.String(), Serdes.ByteArray()),
        Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore(Names.AUDIT_STORE)));
    Topology t = builder.build(props);

    // Per-service event topics (pattern), the shared one unless disabled, the actions topic; each
    // parsed and checked.
    EventSources.wire(t, config, meters, bounds, registry, actionPartitions, owners::bound);
    t.addProcessor(
        Names.DETECT,
        () -> new DetectionProcessor(settings, meters, bounds, clock),
        Names.PARSE_EVENTS,
        Names.PARSE_ACTIONS);
    Map<String, String> changelog = Map.of("cleanup.policy", "compact");
    // Cached: a busy service's profile is rewritten with every batch, but reaches its changelog
    // once per commit. Raw bytes (the processor parses them, see ProfileMemo): the store hands
    // back the very array it was given, which tells the memo its parsed profile is current.
    t.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Names.PROFILES_STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withLoggingEnabled(changelog)
            .withCachingEnabled(),
        Names.DETECT);
    t.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Names.ALERTS_STORE),
                Serdes.String(),
                new ProtoSerde<>(Alert.parser()))
            .withLoggingEnabled(changelog)
            .withCachingEnabled(),
        Names.DETECT);
    EventSources.connectStores(t);

    StringSerializer strings = new StringSerializer();
    ByteArraySerializer raw = new ByteArraySerializer();
    Serializer<MessageLite> messages = ProtoSerde.MESSAGES;
    // Dead letters are copies of what could not be processed: cut to what the topic accepts.
    BoundedBytes bounded = new BoundedBytes(config.get(CollectorKeys.RECORD_MAX_BYTES) - 8 * 1024);
    t.addSink(
        Names.DEAD_LETTER_SINK,
        config.get(CollectorKeys.TOPIC_DEADLETTER),
        new BoundedBytes(1024),
        bounded,
        Names.PARSE_EVENTS,
        Names.PARSE_ACTIONS,
        Names.DETECT);
    t.addSink(
        Names.ALERTS_SINK, config.get(CollectorKeys.TOPIC_ALERTS), strings, messages, Names.DETECT);
    t.addSink(
        Names.ALERTS_JSON_SINK,
        config.get(CollectorKeys.TOPIC_ALERTS_JSON),
        strings,
        raw,
        Names.DETECT);
    t.addSink(Names.ALERT_VIEW_SINK, Names.alertViewTopic(config), strings, messages, Names.DETECT);
    t.addSink(
        Names.PROFILE_VIEW_SINK, Names.profileViewTopic(config), strings, messages, Names.DETECT);
    t.addSink(Names.AUDIT_SINK, Names.auditTopic(config), strings, messages, Names.DETECT);
    return t;
  }

  private Properties streamsProperties(String bootstrap) {
    Properties p = new Properties();
    p.putAll(config.kafkaClientProperties()); // TLS / SASL for every client Streams creates
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(CollectorKeys.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(
        StreamsConfig.STATE_DIR_CONFIG,
        config.dataDir().resolve("streams").toAbsolutePath().toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(CollectorKeys.STREAMS_THREADS));
    p.put(
        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
        config.get(CollectorKeys.STREAMS_COMMIT_INTERVAL).toMillis());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.get(CollectorKeys.TOPIC_REPLICATION));
    p.put(
        StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG,
        32L * 1024 * 1024); // flushed at every commit (exactly-once)
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    // The view topics are written by this application only; opt in to Kafka 5's default now (and
    // silence its warning).
    p.put("processing.exception.handler.global.enabled", "true");
    // A record that cannot be processed is dead-lettered and the stream goes on; one that cannot be
    // written is counted and dropped (see StreamErrors, PoisonGuard).
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, StreamErrors.Processing.class);
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, StreamErrors.Production.class);
    // A crashed instance's partitions move to the others after 10 s (Kafka's default is 45 s).
    p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
    p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 3_000);
    return p;
  }

  /**
   * The compacted topics behind the global views (one partition: every instance reads all of it).
   */
  private void ensureViewTopics(String bootstrap) {
    try (Admin admin = Admin.create(CollectorTopics.clientProperties(config, bootstrap))) {
      Map<String, Integer> views =
          Map.of(
              Names.alertViewTopic(config),
              1,
              Names.profileViewTopic(config),
              1,
              Names.auditTopic(config),
              1);
      Topics.ensure(
          admin,
          views,
          config.get(CollectorKeys.TOPIC_REPLICATION).shortValue(),
          Map.of("cleanup.policy", "compact"));
    }
  }

  /** The collector-wide view of services bound to a topic of their own. */
  ServiceTopicOwners serviceTopicOwners() {
    return owners;
  }

  /** Where the collector learns which services have a topic of their own (the broker's ACLs). */
  public ServiceTopicOwners.Authority topicAuthority() {
    return owners.authority();
  }

  @Override
  public void close() {
    owners.close();
    if (backend != null) {
      backend.close();
    }
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    if (streams != null) {
      // Leave the group on a clean stop: the other instances take over at once instead of waiting
      // for the session timeout.
      streams.close(
          org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
              .withGroupMembershipOperation(
                  org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
  }
}
