package dev.tripline.collector.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.collector.kafka.ServiceTopics;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.EventBatch;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jspecify.annotations.Nullable;

/**
 * First step for each input topic: protobuf bytes to messages, checked at the edge. A record that
 * does not parse, or that is refused (a service topic's batch naming another service, a new service
 * beyond {@code services.max}, a batch on a partition whose task does not own its service), is
 * copied unchanged to the dead-letter topic with headers saying where it came from and why, and
 * counted; the stream goes on. Batches that pass are {@link Sanitizer sanitized}: detection sees
 * sane values only.
 */
final class Parsers {
  private Parsers() {}

  interface Decoder {
    Object decode(InputLimits limits, byte[] bytes) throws InvalidProtocolBufferException;
  }

  static final Decoder EVENT_BATCH =
      (limits, bytes) -> {
        EventBatch b = limits.batch(bytes);
        if (b.getAgent().getService().isEmpty()) {
          throw new InvalidProtocolBufferException("batch without agent.service");
        }
        return b;
      };
  static final Decoder ACTION =
      (limits, bytes) -> {
        AnalystAction a = limits.action(bytes);
        if (a.getService().isEmpty()) {
          throw new InvalidProtocolBufferException("action without service");
        }
        return a;
      };

  /**
   * What every parser shares: the input limits, the poison guard (a record is begun here, the first
   * node it meets), the meters.
   */
  record Edge(InputLimits limits, PoisonGuard poison, Meters meters, EdgeMeters edgeMeters) {}

  /** Why a well-formed record is not processed; the reason is a meter tag. */
  static final class Refused extends RuntimeException {
    final String reason;

    Refused(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  /**
   * What the events parser checks besides the bytes.
   *
   * @param eventsTopic the shared topic; {@code <eventsTopic>.<service>} are the per-service ones
   * @param partitions partitions of the actions topic: a service's events, on any events topic,
   *     must be on the partition (hence the task) its actions and profile are on
   * @param ownTopic services bound to a topic of their own (collector-wide: {@link
   *     dev.tripline.collector.kafka.ServiceTopicOwners}); the shared topic may not speak for them
   * @param strings the string and list caps, applied here where the record's bytes are at hand
   *     ({@link StringCaps#applyParsed})
   */
  record EventChecks(
      String eventsTopic,
      int partitions,
      Sanitizer sanitizer,
      ServiceCap cap,
      Predicate<String> ownTopic,
      StringCaps strings) {}

  static final class Parse implements Processor<byte[], byte[], Object, Object> {
    private final Decoder decoder;
    private final String topic;
    private final Edge edge;
    private final @Nullable EventChecks checks;

    private ProcessorContext<Object, Object> context;

    Parse(Decoder decoder, String topic, Edge edge) {
      this(decoder, topic, edge, null);
    }

    Parse(Decoder decoder, String topic, Edge edge, @Nullable EventChecks checks) {
      this.decoder = decoder;
      this.topic = topic;
      this.edge = edge;
      this.checks = checks;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
      this.context = context;
      if (checks != null) {
        checks.cap().init(context);
      }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      Optional<RecordMetadata> meta = context.recordMetadata();
      String source = meta.map(RecordMetadata::topic).orElse(topic);
      PoisonGuard.Position at =
          meta.map(m -> new PoisonGuard.Position(m.topic(), m.partition(), m.offset()))
              .orElse(null);
      if (at != null && edge.poison().begin(at)) {
        // This record killed the stream thread poison.max.tries times: set it aside, never loop on
        // it.
        edge.meters().poisonSkipped();
        deadLetter(
            record,
            source,
            "skipped after killing the stream thread "
                + edge.poison().tries(at)
                + " times (last failure: "
                + edge.poison().lastFailure()
                + ")",
            null);
        edge.poison().end();
        return;
      }
      try {
        long oversize = InputLimits.oversize(record.headers());
        if (oversize >= 0) {
          // Cut by the consumer's deserializer: what is left is a prefix, kept for the dead letter.
          throw new Refused(InputLimits.TOO_LARGE, edge.limits().tooLarge(oversize));
        }
        if (record.value() == null) {
          throw new InvalidProtocolBufferException("empty record");
        }
        Object message = decoder.decode(edge.limits(), record.value());
        String service;
        if (message instanceof EventBatch batch) {
          service = batch.getAgent().getService();
          if (checks != null) {
            message = check(batch, record.value(), source, service);
          }
        } else {
          service = ((AnalystAction) message).getService();
        }
        context.forward(
            new Record<Object, Object>(service, message, record.timestamp()), Names.DETECT);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        deadLetter(
            record, source, String.valueOf(e.getMessage()), e instanceof Refused r ? r : null);
      }
      if (at != null && edge.poison().careful(at)) {
        // replaying after a thread failure: one record per transaction finds the culprit
        context.commit();
      }
      // Not in a finally: an Error must leave the record begun, so that it is the one charged.
      edge.poison().end();
    }

    private void deadLetter(
        Record<byte[], byte[]> record, String source, String reason, @Nullable Refused refused) {
      edge.meters().deadLetters().increment();
      RecordHeaders headers = new RecordHeaders(record.headers().toArray());
      long oversize = InputLimits.oversize(headers);
      headers.remove(InputLimits.OVERSIZE);
      if (oversize >= 0 && oversize != InputLimits.UNREADABLE) {
        headers.add(
            BoundedBytes.TRUNCATED_FROM, Long.toString(oversize).getBytes(StandardCharsets.UTF_8));
      }
      headers.add("tripline.error", reason.getBytes(StandardCharsets.UTF_8));
      headers.add("tripline.source.topic", source.getBytes(StandardCharsets.UTF_8));
      context
          .recordMetadata()
          .ifPresent(
              m ->
                  headers.add(
                      "tripline.source.offset",
                      (m.partition() + "@" + m.offset()).getBytes(StandardCharsets.UTF_8)));
      if (refused != null) {
        edge.edgeMeters().refused(refused.reason, 1);
        headers.add("tripline.refused", refused.reason.getBytes(StandardCharsets.UTF_8));
      }
      context.forward(
          new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
          Names.DEAD_LETTER_SINK);
    }

    // the sanitizer returns its argument itself when nothing changed: identity is the test
    @SuppressWarnings("ReferenceEquality")
    private EventBatch check(EventBatch batch, byte[] wire, String source, String service) {
      if (ServiceTopics.isServiceTopic(checks.eventsTopic(), source)) {
        // The topic is the identity: only its writers may speak, and only for the service it stands
        // for.
        if (!ServiceTopics.speaksFor(checks.eventsTopic(), source, service)) {
          throw new Refused(
              EdgeMeters.SERVICE_MISMATCH,
              "batch on "
                  + source
                  + " names service '"
                  + printable(service)
                  + "', which belongs on "
                  + ServiceTopics.topicFor(checks.eventsTopic(), service));
        }
      } else if (checks.ownTopic().test(service)) {
        // A service bound to its own topic is not spoken for on the shared one (which trusts any
        // writer) — on every partition: the binding is collector-wide, not this task's memory.
        throw new Refused(
            EdgeMeters.SHARED_TOPIC,
            "service '"
                + printable(service)
                + "' writes its own topic "
                + ServiceTopics.topicFor(checks.eventsTopic(), service)
                + ": the shared topic "
                + source
                + " may not speak for it");
      }
      // Every batch of a service, from any topic, is judged by the one task that holds its profile:
      // a batch on another partition would start a second profile there, and the last writer
      // would win the console's view.
      int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
      int owner = ownerPartition(service, checks.partitions());
      if (partition != owner) {
        throw new Refused(
            EdgeMeters.PARTITION,
            "batch for service '"
                + printable(service)
                + "' on partition "
                + partition
                + " of "
                + source
                + ", but the service belongs on partition "
                + owner
                + ": give events topics "
                + checks.partitions()
                + " partitions (as many as the actions topic) and key records by service");
      }
      if (!checks.cap().admit(service)) {
        throw new Refused(
            EdgeMeters.SERVICES_MAX,
            "services.max ("
                + checks.cap().max()
                + ") reached: new service '"
                + printable(service)
                + "' refused");
      }
      EventBatch sanitized = checks.sanitizer().sanitize(batch, System.currentTimeMillis());
      // unchanged since parsed: the wire says how long each event is
      return sanitized == batch
          ? checks.strings().applyParsed(batch, wire)
          : checks.strings().apply(sanitized);
    }
  }

  /** The partition Kafka's default partitioner gives a record keyed by the service name. */
  static int ownerPartition(String service, int partitions) {
    return Utils.toPositive(Utils.murmur2(service.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * An attacker-chosen name fit for a log line or header: control characters escaped, at most 120
   * chars.
   */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 120) + 8);
    int i = 0;
    for (; i < s.length() && b.length() < 120; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return i < s.length() ? b.append('…').toString() : b.toString();
  }
}
