package dev.tripline.collector.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The main consumer, surviving a record it cannot even read. Kafka's record reader allocates a
 * compressed batch's record whole ({@code DefaultRecord.readFrom}: one array of the decompressed
 * size, up to 2 GiB, whatever the fetch sizes say), so a record larger than the free heap throws
 * {@code OutOfMemoryError} inside {@code poll} — on every try, on every replaced thread, after
 * every restart. The allocation fails before anything is filled, so the heap is intact and the
 * error can be handled here:
 *
 * <ol>
 *   <li>every assigned partition is sought back to the record after the last one returned (a failed
 *       poll drops what it had collected, though it moved their positions);
 *   <li>a probe consumer (no group, one record per poll) reads each partition from there, up to
 *       {@link #PROBE_RECORDS} records; the record it cannot read either is the culprit;
 *   <li>the records before it are returned as this poll's, the culprit as a stand-in marked {@link
 *       InputLimits#OVERSIZE} {@code unreadable} (the parser dead-letters it with the reason), and
 *       the partition is sought past it.
 * </ol>
 */
final class UnreadableRecords extends KafkaConsumer<byte[], byte[]> {
  static final int PROBE_RECORDS = 500;
  static final long PROBE_BYTES = 64L << 20;

  /** The probe gives up on a partition that returns nothing this long (a broker slow to answer). */
  static final Duration PROBE_QUIET = Duration.ofSeconds(10);

  private final Map<String, Object> config;
  private final Deserializer<byte[]> values;
  private final Consumer<OutOfMemoryError> seen;
  private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

  UnreadableRecords(
      Map<String, Object> config, Deserializer<byte[]> values, Consumer<OutOfMemoryError> seen) {
    super(config, new ByteArrayDeserializer(), values);
    this.config = config;
    this.values = values;
    this.seen = seen;
  }

  @Override
  public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = super.poll(timeout);
    } catch (OutOfMemoryError e) {
      seen.accept(e);
      records = recover();
    }
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      next.put(tp, list.get(list.size() - 1).offset() + 1);
    }
    return records;
  }

  @Override
  public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
    super.subscribe(pattern, forgetting(listener));
  }

  @Override
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
    super.subscribe(topics, forgetting(listener));
  }

  @Override
  public void seek(TopicPartition tp, long offset) {
    super.seek(tp, offset);
    next.put(tp, offset);
  }

  /** A partition that leaves resumes from its committed offset when it comes back. */
  private ConsumerRebalanceListener forgetting(ConsumerRebalanceListener listener) {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(next::remove);
        listener.onPartitionsRevoked(partitions);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        listener.onPartitionsAssigned(partitions);
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        partitions.forEach(next::remove);
        listener.onPartitionsLost(partitions);
      }
    };
  }

  private ConsumerRecords<byte[], byte[]> recover() {
    Map<TopicPartition, Long> from = new HashMap<>();
    Set<TopicPartition> assigned = assignment();
    Map<TopicPartition, OffsetAndMetadata> committed = null;
    for (TopicPartition tp : assigned) {
      Long n = next.get(tp);
      if (n == null) {
        // Nothing returned since it was assigned: it starts from its committed offset.
        if (committed == null) {
          committed = committed(assigned, Duration.ofSeconds(30));
        }
        OffsetAndMetadata c = committed.get(tp);
        n = c == null ? null : c.offset();
      }
      if (n != null) {
        super.seek(tp, n);
        from.put(tp, n);
      }
    }
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> found = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> nextOffsets = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> probe =
        new KafkaConsumer<>(probeConfig(), new ByteArrayDeserializer(), values)) {
      for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
        if (paused().contains(e.getKey())) {
          continue;
        }
        List<ConsumerRecord<byte[], byte[]>> read = probe(probe, e.getKey(), e.getValue());
        if (!read.isEmpty()) {
          found.put(e.getKey(), read);
          long after = read.get(read.size() - 1).offset() + 1;
          nextOffsets.put(e.getKey(), new OffsetAndMetadata(after));
          super.seek(e.getKey(), after);
          if (InputLimits.oversize(read.get(read.size() - 1).headers()) == InputLimits.UNREADABLE) {
            break; // the culprit: the other partitions are read again as usual
          }
        }
      }
    }
    return new ConsumerRecords<>(found, nextOffsets);
  }

  /** Up to {@link #PROBE_RECORDS} records of {@code tp} from {@code offset}, one at a time. */
  private static List<ConsumerRecord<byte[], byte[]>> probe(
      KafkaConsumer<byte[], byte[]> probe, TopicPartition tp, long offset) {
    probe.assign(List.of(tp));
    probe.seek(tp, offset);
    long end = probe.endOffsets(List.of(tp), Duration.ofSeconds(30)).getOrDefault(tp, offset);
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
    long bytes = 0;
    long quietUntil = System.nanoTime() + PROBE_QUIET.toNanos();
    while (read.size() < PROBE_RECORDS && bytes < PROBE_BYTES && probe.position(tp) < end) {
      ConsumerRecords<byte[], byte[]> one;
      try {
        one = probe.poll(Duration.ofMillis(500));
      } catch (OutOfMemoryError e) {
        read.add(unreadable(tp, probe.position(tp)));
        return read;
      }
      for (ConsumerRecord<byte[], byte[]> r : one) {
        read.add(r);
        bytes += r.value() == null ? 0 : r.value().length;
      }
      if (!one.isEmpty()) {
        quietUntil = System.nanoTime() + PROBE_QUIET.toNanos();
      } else if (System.nanoTime() - quietUntil > 0) {
        break; // nothing fetched for a while: what was read is returned, the rest read again
      }
    }
    return read;
  }

  /** The stand-in for a record nobody can read: no value, the reason in a header. */
  private static ConsumerRecord<byte[], byte[]> unreadable(TopicPartition tp, long offset) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        InputLimits.OVERSIZE,
        Long.toString(InputLimits.UNREADABLE).getBytes(StandardCharsets.UTF_8));
    return new ConsumerRecord<>(
        tp.topic(),
        tp.partition(),
        offset,
        System.currentTimeMillis(),
        TimestampType.CREATE_TIME,
        -1,
        -1,
        null,
        new byte[0],
        headers,
        Optional.empty());
  }

  /** The probe: the connection settings of the main consumer, no group, one record per poll. */
  private Properties probeConfig() {
    Properties p = new Properties();
    for (Map.Entry<String, Object> e : config.entrySet()) {
      String k = e.getKey();
      if (k.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
          || k.equals("isolation.level")
          || k.equals("client.dns.lookup")
          || k.startsWith("security.")
          || k.startsWith("ssl.")
          || k.startsWith("sasl.")
          || k.startsWith("socket.")
          || k.startsWith("reconnect.")
          || k.startsWith("retry.")
          || k.equals("request.timeout.ms")
          || k.equals("max.partition.fetch.bytes")
          || k.equals("fetch.max.bytes")) {
        p.put(k, e.getValue());
      }
    }
    Object clientId = config.get("client.id");
    p.put("client.id", (clientId == null ? "tripline" : clientId) + "-probe");
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "1");
    return p;
  }
}
