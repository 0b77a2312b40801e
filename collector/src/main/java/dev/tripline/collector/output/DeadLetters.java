package dev.tripline.collector.output;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The outputs' dead letters: the alert record as it was, on {@code topic.deadletter}, with headers
 * {@code tripline.output} (which output gave up), {@code tripline.error} (why) and the source
 * topic, partition and offset. Written before the alert's offset is committed, acknowledged by all
 * replicas: an alert an output gives up on is set aside, never lost.
 */
final class DeadLetters implements AutoCloseable {
  static final Duration PAUSE = Duration.ofSeconds(5);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  DeadLetters(Properties clientProps, String topic) {
    Properties p = new Properties();
    p.putAll(clientProps);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tripline-outputs-deadletter");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /** Written and acknowledged; false only when {@code stop} opened while Kafka refused. */
  boolean send(String output, ConsumerRecord<byte[], byte[]> r, String reason, CountDownLatch stop)
      throws InterruptedException {
    RecordHeaders h = new RecordHeaders();
    h.add("tripline.output", output.getBytes(StandardCharsets.UTF_8));
    h.add("tripline.error", HttpPost.clip(reason, 1024).getBytes(StandardCharsets.UTF_8));
    h.add("tripline.source.topic", r.topic().getBytes(StandardCharsets.UTF_8));
    h.add(
        "tripline.source.offset",
        (r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
    while (true) {
      try {
        producer
            .send(new ProducerRecord<>(topic, null, r.key(), r.value(), h))
            .get(60, TimeUnit.SECONDS);
        return true;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        System.err.println(
            "[tripline] output '"
                + output
                + "': cannot write a dead letter to "
                + topic
                + " ("
                + HttpPost.clip(String.valueOf(e.getCause() == null ? e : e.getCause()), 200)
                + "); the alert stays unhandled and is tried again");
        if (stop.await(PAUSE.toMillis(), TimeUnit.MILLISECONDS)) {
          return false;
        }
      }
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
