package dev.tripline.collector.pipeline;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * Kafka Streams' clients, with the main consumer (the one reading what producers wrote) cutting
 * values beyond {@code batch.max.bytes} as it reads them ({@link InputLimits#values()}) and
 * skipping a record it cannot allocate at all ({@link UnreadableRecords}). The restore and global
 * consumers read this collector's own topics and keep Kafka's defaults.
 */
final class BoundedClients implements KafkaClientSupplier {
  private final DefaultKafkaClientSupplier defaults = new DefaultKafkaClientSupplier();
  private final InputLimits limits;
  private final java.util.function.Consumer<OutOfMemoryError> outOfMemory;

  BoundedClients(InputLimits limits, java.util.function.Consumer<OutOfMemoryError> outOfMemory) {
    this.limits = limits;
    this.outOfMemory = outOfMemory;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return defaults.getAdmin(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return defaults.getProducer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new UnreadableRecords(config, limits.values(), outOfMemory);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return defaults.getRestoreConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return defaults.getGlobalConsumer(config);
  }
}
