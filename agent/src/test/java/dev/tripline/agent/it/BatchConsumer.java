package dev.tripline.agent.it;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what agents sent to an events topic, as a SIEM or the collector would: EventBatch
 * protobufs.
 */
final class BatchConsumer implements AutoCloseable {
  /** A record as it sits on the topic: key, broker timestamp and the decoded batch. */
  static final class Received {
    final String key;
    final long timestamp;
    final EventBatch batch;

    Received(String key, long timestamp, EventBatch batch) {
      this.key = key;
      this.timestamp = timestamp;
      this.batch = batch;
    }

    EventBatch batch() {
      return batch;
    }
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Received> received = new ArrayList<>();

  BatchConsumer(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
  }

  /** Everything received so far, after one more poll. */
  List<Received> poll() throws InvalidProtocolBufferException {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      received.add(new Received(r.key(), r.timestamp(), EventBatch.parseFrom(r.value())));
    }
    return received;
  }

  List<Event> events() throws InvalidProtocolBufferException {
    return poll().stream()
        .flatMap(r -> r.batch().getEventsList().stream())
        .collect(Collectors.toList());
  }

  /** Event paths seen, for files. */
  boolean sawFile(String path) throws InvalidProtocolBufferException {
    return events().stream().anyMatch(e -> e.hasFile() && e.getFile().getPath().equals(path));
  }

  List<EventBatch> heartbeats() throws InvalidProtocolBufferException {
    return poll().stream()
        .map(Received::batch)
        .filter(EventBatch::hasHealth)
        .collect(Collectors.toList());
  }

  static Map<String, String> logAppendTime() {
    return Map.of("message.timestamp.type", "LogAppendTime");
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
