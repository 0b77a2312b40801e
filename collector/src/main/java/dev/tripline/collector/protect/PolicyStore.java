package dev.tripline.collector.protect;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.collector.kafka.PolicyTopics;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.protect.PolicyReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

/**
 * The policies on Kafka: the current one of a service is read back from its compacted topic through
 * the same {@link PolicyReader} the agent uses (so the collector never builds on a record an agent
 * would refuse), and a new one is written there, keyed by service, acknowledged by all replicas. No
 * consumer group: a policy topic is read by assignment, as agents read theirs (READ on the topic is
 * all an agent's principal needs).
 */
final class PolicyStore implements AutoCloseable {
  /** How long reading a policy topic to its end may take before the request fails. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private final CollectorConfig config;
  private final MeterRegistry registry;
  private @Nullable KafkaProducer<String, byte[]> producer;

  PolicyStore(CollectorConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  String topic(String service) {
    return PolicyTopics.topicFor(config.get(CollectorKeys.TOPIC_POLICY), service);
  }

  /** The service's current policy, or empty when it has none (no topic, or nothing valid on it). */
  Optional<ProtectionPolicy> current(String service) {
    return current(List.of(service)).getOrDefault(service, Optional.empty());
  }

  /**
   * The current policy of each service, read by one consumer in one pass over all their topics (the
   * refresher's scan of every known service costs one client, not one per service). A topic that
   * does not exist gives empty. Each record goes through its own service's {@link PolicyReader};
   * refusals are counted by reason. Fails as a whole (the caller keeps what it had) when the read
   * does not reach the topics' ends in time.
   */
  Map<String, Optional<ProtectionPolicy>> current(Collection<String> services) {
    Map<String, Optional<ProtectionPolicy>> held = new HashMap<>();
    for (String service : services) held.put(service, Optional.empty());
    Properties p = clientProperties();
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // one policy with its allow list, whole: up to the reader's cap
    p.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        Integer.toString(PolicyReader.MAX_RECORD_BYTES + 64 * 1024));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      Map<String, List<PartitionInfo>> existing = consumer.listTopics(READ_TIMEOUT);
      Map<String, PolicyReader> readers = new HashMap<>(); // by topic
      List<TopicPartition> partitions = new ArrayList<>();
      for (String service : services) {
        String topic = topic(service);
        List<PartitionInfo> infos = existing.get(topic);
        if (infos == null || infos.isEmpty() || readers.containsKey(topic)) continue;
        readers.put(topic, new PolicyReader(service));
        for (PartitionInfo info : infos)
          partitions.add(new TopicPartition(topic, info.partition()));
      }
      if (partitions.isEmpty()) return held;
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, READ_TIMEOUT);
      // READ_TIMEOUT per 50 topics: a pass over many services is not cut short by their number
      long deadline =
          System.nanoTime() + READ_TIMEOUT.toNanos() * Math.max(1, (readers.size() + 49) / 50);
      List<TopicPartition> pending = new ArrayList<>(partitions);
      while (true) {
        pending.removeIf(tp -> consumer.position(tp, READ_TIMEOUT) >= ends.getOrDefault(tp, 0L));
        if (pending.isEmpty()) break;
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "reading " + pending.size() + " policy topic(s) timed out, e.g. " + pending.get(0));
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          PolicyReader reader = readers.get(r.topic());
          if (reader == null) continue;
          PolicyReader.Outcome o = reader.offer(r.value());
          if (!o.applied()) {
            registry
                .counter("tripline.protection.records.refused", "reason", o.refusal().name())
                .increment();
          }
        }
      }
      for (String service : services) {
        PolicyReader reader = readers.get(topic(service));
        if (reader != null) held.put(service, reader.held());
      }
      return held;
    }
  }

  /** Writes the policy to its service's topic (created when missing); returns once acknowledged. */
  synchronized void write(ProtectionPolicy policy) {
    String topic = topic(policy.getService());
    try (Admin admin = Admin.create(clientProperties())) {
      PolicyTopics.ensure(admin, topic, config.get(CollectorKeys.TOPIC_REPLICATION).shortValue());
    }
    try {
      producer()
          .send(new ProducerRecord<>(topic, policy.getService(), policy.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the policy", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not write the policy to " + topic + ": " + e, e);
    }
  }

  private KafkaProducer<String, byte[]> producer() {
    KafkaProducer<String, byte[]> p = producer;
    if (p == null) {
      Properties props = clientProperties();
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
      producer = p;
    }
    return p;
  }

  private Properties clientProperties() {
    return CollectorTopics.clientProperties(config, config.get(CollectorKeys.BOOTSTRAP_SERVERS));
  }

  @Override
  public synchronized void close() {
    if (producer != null) producer.close(Duration.ofSeconds(5));
  }
}
