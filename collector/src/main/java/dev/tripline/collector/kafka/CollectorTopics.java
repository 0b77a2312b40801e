package dev.tripline.collector.kafka;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.kafka.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The topics the collector reads and writes, created when missing. */
public final class CollectorTopics {
  private CollectorTopics() {}

  /** Names of the public topics, in the order they are listed to users. */
  public static List<String> names(CollectorConfig config) {
    return List.of(
        config.get(CollectorKeys.TOPIC_EVENTS),
        config.get(CollectorKeys.TOPIC_ALERTS),
        config.get(CollectorKeys.TOPIC_ALERTS_JSON),
        config.get(CollectorKeys.TOPIC_DEADLETTER),
        config.get(CollectorKeys.TOPIC_ACTIONS));
  }

  /** Creates the missing topics; returns the ones created now. */
  public static List<String> ensure(CollectorConfig config, String bootstrapServers) {
    int partitions = config.get(CollectorKeys.TOPIC_PARTITIONS);
    short replication = config.get(CollectorKeys.TOPIC_REPLICATION).shortValue();
    Map<String, Integer> wanted = new LinkedHashMap<>();
    for (String name : names(config)) {
      wanted.put(name, partitions);
    }
    try (Admin admin = Admin.create(clientProperties(config, bootstrapServers))) {
      return Topics.ensure(admin, wanted, replication, Map.of());
    }
  }

  /**
   * Partitions of an existing topic. A topic created a moment ago may not be in the broker's
   * metadata yet ({@code UnknownTopicOrPartitionException}): asked again for up to 10 s.
   */
  public static int partitions(CollectorConfig config, String bootstrapServers, String topic) {
    try (Admin admin = Admin.create(clientProperties(config, bootstrapServers))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try {
          return admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .size();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
              || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100); // metadata of a new topic propagates within moments
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Client settings: the {@code kafka.*} pass-through plus the bootstrap servers. */
  public static Properties clientProperties(CollectorConfig config, String bootstrapServers) {
    Properties p = config.kafkaClientProperties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }
}
