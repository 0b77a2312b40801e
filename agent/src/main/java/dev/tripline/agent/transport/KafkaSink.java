package dev.tripline.agent.transport;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.pipeline.EventSink;
import dev.tripline.config.redact.Redactor;
import dev.tripline.model.EventBatch;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code sink=kafka}: EventBatch records on {@code tripline.events}, keyed by service.
 *
 * <p>Never blocks the pipeline for long: {@code max.block.ms} is short, memory is bounded ({@code
 * buffer.memory}), and while Kafka is unreachable batches are reported lost at once (the pipeline
 * folds their counts into the next flush) instead of waiting. Serializers are passed as instances
 * so the application's own Kafka classes are never looked up by name.
 */
public final class KafkaSink implements EventSink {
  /**
   * After a send could not even be queued, skip sending for this long (Kafka keeps reconnecting
   * meanwhile).
   */
  private static final long BACKOFF_MS = 2_000;

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private String topicService;
  private String serviceTopic;
  private final AgentStats stats;
  private long backoffUntil;

  /** Causes already reported on stderr: one line per kind of failure, not one per batch. */
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  private final String bootstrap;

  /**
   * A cold JVM's first metadata fetch can outlast max.block.ms: timeouts this early are retried,
   * not reported.
   */
  private final long startupGraceUntil = System.currentTimeMillis() + 10_000;

  public KafkaSink(AgentConfig config, AgentStats stats) {
    this(config.kafkaProducerProperties(), config.get(AgentKeys.KAFKA_TOPIC), stats);
  }

  public KafkaSink(Properties userProps, String topic, AgentStats stats) {
    this.topic = topic;
    this.stats = stats;
    this.bootstrap = userProps.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "");
    Properties p = new Properties();
    p.put(
        ProducerConfig.CLIENT_ID_CONFIG,
        "tripline-agent-" + UUID.randomUUID().toString().substring(0, 8));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(4 * 1024 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "500");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
    // The user's kafka.* settings win (TLS, SASL, timeouts), with Kafka's own class names mapped to
    // the agent's copy.
    p.putAll(KafkaClassNames.relocate(userProps, KafkaClassNames.RELOCATED));
    // Kafka resolves classes through the context loader: make it the agent's own while the client
    // starts.
    Thread current = Thread.currentThread();
    ClassLoader previous = current.getContextClassLoader();
    current.setContextClassLoader(KafkaSink.class.getClassLoader());
    try {
      this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    } catch (RuntimeException | LinkageError e) {
      throw new SinkUnavailable(
          "cannot start the Kafka producer for " + bootstrap + ": " + rootCause(e, userProps));
    } finally {
      current.setContextClassLoader(previous);
    }
    withdrawStandardAppInfo(p.getProperty(ProducerConfig.CLIENT_ID_CONFIG));
  }

  /**
   * Kafka registers {@code kafka.producer:type=app-info,id=<client>} as a standard MBean, which the
   * JDK reads through an accessor in an unnamed module: the agent's module exports nothing, so
   * every read of it would fail ({@code IllegalAccessException} in a JMX console). Withdrawn; the
   * same figures (version, commit, start time) stay readable in Kafka's metric MBean {@code
   * kafka.producer:type=app-info,client-id=<client>}. Run from a classes directory (no module) it
   * works, and stays.
   */
  private static void withdrawStandardAppInfo(String clientId) {
    if (!KafkaSink.class.getModule().isNamed()) {
      return;
    }
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName("kafka.producer:type=app-info,id=" + clientId);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (JMException | RuntimeException e) {
      // cosmetic: the MBean stays, unreadable
    }
  }

  @Override
  // the send's callback handles its outcome; waiting would block the pipeline
  @SuppressWarnings("FutureReturnValueIgnored")
  public void publish(EventBatch batch, Consumer<EventBatch> onLost) {
    int events = batch.getEventsCount();
    long now = System.currentTimeMillis();
    if (now < backoffUntil) {
      lost(batch, onLost, events);
      return;
    }
    try {
      producer.send(
          new ProducerRecord<>(topicFor(batch), batch.getAgent().getService(), batch.toByteArray()),
          (meta, error) -> {
            if (error == null) {
              stats.sent(events);
            } else {
              warnOnce(error);
              lost(batch, onLost, events);
            }
          });
    } catch (RuntimeException e) { // metadata or buffer timeout: Kafka is unreachable or slow
      warnOnce(e);
      backoffUntil = now + BACKOFF_MS;
      lost(batch, onLost, events);
    }
  }

  /** The topic of this JVM's service (one service per JVM: resolved once, then reused). */
  private String topicFor(EventBatch batch) {
    String service = batch.getAgent().getService();
    if (!service.equals(topicService)) {
      serviceTopic = topicFor(topic, service);
      topicService = service;
    }
    return serviceTopic;
  }

  /**
   * {@code kafka.topic} with {@code {service}} replaced by the service name, every character
   * outside {@code [A-Za-z0-9._-]} made {@code _}, cut to Kafka's 249 characters: the per-service
   * topic the collector reads, under ACLs that let only this service's principal write it (the
   * collector's ServiceTopics maps names the same way).
   */
  public static String topicFor(String template, String service) {
    return dev.tripline.config.ServiceTopicName.resolve(template, service);
  }

  /**
   * Says why Kafka is not taking events, once per kind of failure (a refused certificate, a
   * timeout): operators need to know; the application's log must not fill up. Kafka's messages name
   * hosts and causes, never the configured secrets.
   */
  private void warnOnce(Exception error) {
    if (error instanceof TimeoutException && System.currentTimeMillis() < startupGraceUntil) {
      return;
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (reported.size() < 16
        && reported.add(error.getClass().getName() + "/" + root.getClass().getName())) {
      System.err.println(
          "[tripline] cannot deliver events to Kafka at "
              + bootstrap
              + ": "
              + error.getClass().getSimpleName()
              + (root == error ? "" : " (" + root.getClass().getSimpleName() + ")")
              + ": "
              + error.getMessage()
              + "; the application runs on, events are kept and counted until it works");
    }
  }

  /**
   * The innermost cause ("Failed to construct kafka producer" alone says nothing), with every
   * configured secret masked: Kafka's messages do not quote them, but a JAAS parse error might.
   */
  static String rootCause(Throwable e, Properties userProps) {
    Throwable root = e;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    String message =
        root.getClass().getName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    for (String key : userProps.stringPropertyNames()) {
      if (Redactor.looksSecret(key) || key.equals(KafkaClassNames.JAAS)) {
        for (String secret : secretsIn(userProps.getProperty(key))) {
          message = message.replace(secret, Redactor.MASK);
        }
      }
    }
    message = Redactor.text(message.replace('\n', ' ').replace('\r', ' '));
    return message.length() <= 500 ? message : message.substring(0, 500) + "…";
  }

  /** The whole value, and each quoted part of it (a JAAS option's value). */
  private static java.util.List<String> secretsIn(String value) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (value.length() >= 3) {
      out.add(value);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]{3,})\"").matcher(value);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The producer could not be built with these settings: the agent has nowhere to send events. */
  public static final class SinkUnavailable extends IllegalStateException {
    SinkUnavailable(String message) {
      super(message);
    }
  }

  /** Whether a TCP connection to one of the bootstrap servers opens within 200 ms. */
  public static boolean anyReachable(String servers) {
    for (String server : servers.split(",", -1)) {
      String s = server.trim();
      int colon = s.lastIndexOf(':');
      if (colon <= 0) {
        continue;
      }
      String host =
          s.startsWith("[") && s.charAt(colon - 1) == ']'
              ? s.substring(1, colon - 1)
              : s.substring(0, colon);
      try (java.net.Socket probe = new java.net.Socket()) {
        probe.connect(
            new java.net.InetSocketAddress(host, Integer.parseInt(s.substring(colon + 1))), 200);
        return true;
      } catch (java.io.IOException | RuntimeException e) {
        // refused, unresolvable or too slow: try the next
      }
    }
    return false;
  }

  /** Connections this producer has opened to any broker (its own metric). */
  private double connectionsMade() {
    try {
      for (java.util.Map.Entry<
              org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
          m : producer.metrics().entrySet()) {
        if (m.getKey().name().equals("connection-creation-total")
            && m.getKey().group().equals("producer-metrics")) {
          Object v = m.getValue().metricValue();
          return v instanceof Number ? ((Number) v).doubleValue() : 0;
        }
      }
    } catch (RuntimeException e) {
      stats.error();
    }
    return 1; // unknown: assume reached, wait the longer bound
  }

  private void lost(EventBatch batch, Consumer<EventBatch> onLost, int events) {
    if (events == 0) {
      stats.dropped(
          AgentStats.TRANSPORT, 0); // a heartbeat: the next one reports the same counters anyway
    }
    onLost.accept(batch);
  }

  /**
   * Before a halt: the producer sends what it holds now. It may block (a broker down): the halting
   * thread gives up after {@code halt.wait}, and the JVM ends with the pipeline thread.
   */
  @Override
  public void flush() {
    try {
      producer.flush();
    } catch (RuntimeException e) {
      stats.error();
    }
  }

  /**
   * At JVM exit: up to 2 s for what is pending when a broker can be reached (a short-lived JVM's
   * first events may still be on their way: its producer may not have connected yet), but no wait
   * when none can: an unreachable broker must not add seconds to every exit.
   */
  @Override
  public void close() {
    try {
      producer.close(
          Duration.ofMillis(connectionsMade() > 0 || anyReachable(bootstrap) ? 2_000 : 0));
    } catch (RuntimeException e) {
      stats.error();
    }
  }
}
