package dev.tripline.collector.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.EventBatch;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First step for each input topic: protobuf bytes to messages. A record that does not parse is
 * copied unchanged to the dead-letter topic, with headers saying where it came from and why, and
 * counted; the stream goes on.
 */
final class Parsers {
  private Parsers() {}

  interface Decoder {
    Object decode(byte[] bytes) throws InvalidProtocolBufferException;
  }

  static final Decoder EVENT_BATCH = bytes -> {
    EventBatch b = EventBatch.parseFrom(bytes);
    if (b.getAgent().getService().isEmpty()) {
      throw new InvalidProtocolBufferException("batch without agent.service");
    }
    return b;
  };
  static final Decoder ACTION = bytes -> {
    AnalystAction a = AnalystAction.parseFrom(bytes);
    if (a.getService().isEmpty()) {
      throw new InvalidProtocolBufferException("action without service");
    }
    return a;
  };

  static final class Parse implements Processor<byte[], byte[], Object, Object> {
    private final Decoder decoder;
    private final String topic;
    private final Counter deadLetters;
    private ProcessorContext<Object, Object> context;

    Parse(Decoder decoder, String topic, Counter deadLetters) {
      this.decoder = decoder;
      this.topic = topic;
      this.deadLetters = deadLetters;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      try {
        if (record.value() == null) {
          throw new InvalidProtocolBufferException("empty record");
        }
        Object message = decoder.decode(record.value());
        String service = message instanceof EventBatch ? ((EventBatch) message).getAgent().getService()
            : ((AnalystAction) message).getService();
        context.forward(new Record<Object, Object>(service, message, record.timestamp()), Names.DETECT);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        deadLetters.increment();
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add("tripline.error", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add("tripline.source.topic", topic.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
            Names.DEAD_LETTER_SINK);
      }
    }
  }
}
