package dev.tripline.collector.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' exception handlers for the pipeline (configured in its properties; they find the
 * dead-letter topic, the meters and the size limit under {@link #CONFIG}).
 *
 * <ul>
 *   <li>processing: an exception in any node dead-letters the input record (bounded, with the
 *       reason) and processing resumes with the next record;
 *   <li>production: a record the broker or client refuses (too large…) is counted and dropped
 *       rather than failing the thread. Under exactly-once such a refusal also breaks the open
 *       transaction, so the thread fails anyway and the {@link PoisonGuard} skips the input after
 *       its tries — which is why every record is sized before it is written, and this is only the
 *       last line.
 * </ul>
 */
public final class StreamErrors {
  /** Streams property holding this pipeline's {@link StreamErrors}. */
  static final String CONFIG = "tripline.stream.errors";

  final String deadLetterTopic;
  final Meters meters;
  final int maxRecordBytes;
  final java.util.Set<String> viewTopics;

  StreamErrors(
      String deadLetterTopic, Meters meters, int maxRecordBytes, java.util.Set<String> viewTopics) {
    this.deadLetterTopic = deadLetterTopic;
    this.viewTopics = viewTopics;
    this.meters = meters;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** A dead letter for the input record in {@code ctx}: its bytes, cut to size, and why. */
  ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext ctx, Exception e) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("tripline.error", cut(String.valueOf(e)).getBytes(StandardCharsets.UTF_8));
    headers.add(
        "tripline.source.topic", String.valueOf(ctx.topic()).getBytes(StandardCharsets.UTF_8));
    headers.add(
        "tripline.source.partition",
        Integer.toString(ctx.partition()).getBytes(StandardCharsets.UTF_8));
    headers.add(
        "tripline.source.offset", Long.toString(ctx.offset()).getBytes(StandardCharsets.UTF_8));
    headers.add(
        "tripline.processor",
        String.valueOf(ctx.processorNodeId()).getBytes(StandardCharsets.UTF_8));
    BoundedBytes bounded = new BoundedBytes(maxRecordBytes - 8 * 1024);
    byte[] key = new BoundedBytes(1024).serialize(deadLetterTopic, headers, ctx.sourceRawKey());
    byte[] value = bounded.serialize(deadLetterTopic, headers, ctx.sourceRawValue());
    return new ProducerRecord<>(deadLetterTopic, null, key, value, headers);
  }

  private static String cut(String s) {
    return s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
  }

  private static StreamErrors from(Map<String, ?> configs) {
    Object o = configs.get(CONFIG);
    if (!(o instanceof StreamErrors)) {
      throw new IllegalStateException(CONFIG + " is not set");
    }
    return (StreamErrors) o;
  }

  /** An exception while processing a record: dead-letter it and go on. */
  public static final class Processing implements ProcessingExceptionHandler {
    private StreamErrors errors;

    @Override
    public void configure(Map<String, ?> configs) {
      errors = from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
      errors.meters.processingError(String.valueOf(ctx.processorNodeId()));
      errors.meters.deadLetters().increment();
      System.err.println(
          "[tripline] dead-lettered the record at "
              + ctx.topic()
              + "-"
              + ctx.partition()
              + "@"
              + ctx.offset()
              + " ("
              + ctx.processorNodeId()
              + "): "
              + e);
      if (ctx.topic() == null || ctx.offset() < 0 || errors.viewTopics.contains(ctx.topic())) {
        return Response
            .resume(); // a punctuation or a global view update: no input record to set aside
      }
      return Response.resume(List.of(errors.deadLetter(ctx, e)));
    }
  }

  /** A record the producer could not write: count it and drop it, never fail on a single record. */
  public static final class Production implements ProductionExceptionHandler {
    private StreamErrors errors;

    @Override
    public void configure(Map<String, ?> configs) {
      errors = from(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext ctx, ProducerRecord<byte[], byte[]> record, Exception e) {
      errors.meters.processingError("write:" + record.topic());
      if (e instanceof RecordTooLargeException) {
        errors.meters.recordCut("refused-by-kafka");
      }
      System.err.println("[tripline] could not write a record to " + record.topic() + ": " + e);
      return e instanceof RecordTooLargeException
              || e instanceof SerializationException
              || e instanceof org.apache.kafka.common.InvalidRecordException
          ? Response.resume()
          : Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(
        ErrorHandlerContext ctx,
        ProducerRecord record,
        Exception e,
        SerializationExceptionOrigin origin) {
      errors.meters.processingError("serialize:" + record.topic());
      return Response.resume();
    }
  }
}
