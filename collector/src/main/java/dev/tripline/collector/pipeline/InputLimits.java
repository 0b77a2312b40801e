package dev.tripline.collector.pipeline;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.EventBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/**
 * What one input record may cost, checked before it is materialised. A compressed record is small
 * on the wire and may be huge once decompressed (a zstd batch under 1 MB can hold 246 MB of
 * protobuf: 3 million events), so the limits are on the decompressed value and on the events in a
 * batch, never on what Kafka's fetch sizes count:
 *
 * <ul>
 *   <li>{@code batch.max.bytes}, never more than {@link #HEAP_SHARE 1/64} of the heap: a longer
 *       value is cut to a {@link #KEPT_PREFIX prefix} by the main consumer's {@link #values()
 *       deserializer} (so the consumer's own copy of it is garbage at once and it never reaches
 *       Kafka Streams' buffers), marked with the {@link #OVERSIZE} header and refused unparsed;
 *   <li>{@code batch.max.events}: events are counted by a scan over the batch's top-level fields
 *       that stops at the cap, before any {@code Event} object is built.
 * </ul>
 *
 * Together they bound the objects one parse builds (at most one per two bytes) and the time one
 * record takes to detect, which keeps every transaction well inside its timeout.
 */
final class InputLimits {
  /** Header the value deserializer sets on a record it cut: the value's real size in bytes. */
  static final String OVERSIZE = "tripline.oversize";

  /**
   * The {@link #OVERSIZE} of a record the consumer could not even allocate ({@link
   * UnreadableRecords}).
   */
  static final long UNREADABLE = Long.MAX_VALUE;

  /** Bytes of an oversize value kept for its dead letter. */
  static final int KEPT_PREFIX = 64 * 1024;

  /** No record may take more than this share of the heap, whatever is configured. */
  static final int HEAP_SHARE = 64;

  /** Agents send at most 384 KiB per batch: a limit below this would refuse them. */
  static final int MIN_BYTES = 512 * 1024;

  static final String TOO_LARGE = "too_large";
  static final String TOO_MANY_EVENTS = "too_many_events";

  private static final int EVENTS_TAG =
      (EventBatch.EVENTS_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private final int maxBytes;
  private final int maxEvents;
  private final int configuredBytes;

  InputLimits(int maxBytes, int maxEvents, long maxHeap) {
    this.configuredBytes = maxBytes;
    this.maxBytes = (int) Math.max(MIN_BYTES, Math.min(maxBytes, maxHeap / HEAP_SHARE));
    this.maxEvents = maxEvents;
  }

  /** The byte limit in force: {@code batch.max.bytes}, lowered to 1/64 of the heap. */
  int maxBytes() {
    return maxBytes;
  }

  int maxEvents() {
    return maxEvents;
  }

  /** Why the byte limit is lower than configured, or empty. */
  String heapNote() {
    return maxBytes < configuredBytes
        ? "batch.max.bytes "
            + configuredBytes
            + " lowered to "
            + maxBytes
            + " (1/"
            + HEAP_SHARE
            + " of the "
            + Runtime.getRuntime().maxMemory() / (1024 * 1024)
            + " MiB heap)"
        : "";
  }

  /** An event batch within the limits, or {@link Parsers.Refused}. */
  EventBatch batch(byte[] bytes) throws InvalidProtocolBufferException {
    checkSize(bytes);
    if (mayHoldMoreThan(bytes.length, maxEvents) && countEvents(bytes, maxEvents) > maxEvents) {
      throw new Parsers.Refused(
          TOO_MANY_EVENTS,
          "batch of "
              + bytes.length
              + " bytes holds more than batch.max.events ("
              + maxEvents
              + ") events; not parsed");
    }
    return EventBatch.parseFrom(bytes);
  }

  AnalystAction action(byte[] bytes) throws InvalidProtocolBufferException {
    checkSize(bytes);
    return AnalystAction.parseFrom(bytes);
  }

  private void checkSize(byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new Parsers.Refused(TOO_LARGE, tooLarge(bytes.length));
    }
  }

  String tooLarge(long size) {
    if (size == UNREADABLE) {
      return "record too large for the heap to hold: Kafka's consumer could not allocate it"
          + " (OutOfMemoryError); skipped unread";
    }
    return "record of "
        + size
        + " bytes (decompressed) exceeds batch.max.bytes ("
        + maxBytes
        + "); not parsed";
  }

  /**
   * Whether a serialised batch of {@code length} bytes can hold more than {@code max} events at
   * all: each {@code events} field takes at least two bytes (its tag and a zero length), so a
   * shorter one need not be scanned.
   */
  static boolean mayHoldMoreThan(int length, int max) {
    return length / 2 > max;
  }

  /**
   * The {@code events} fields of a serialised batch, counted up to {@code max + 1}: each is skipped
   * by its length, nothing is built. Anything the plain walk does not read (groups, a truncated or
   * malformed field) is left to protobuf's own reader, which decides exactly as {@code parseFrom}
   * would.
   */
  static int countEvents(byte[] bytes, int max) throws InvalidProtocolBufferException {
    int[] events = {0};
    int walked = walk(bytes, (tag, length) -> tag != EVENTS_TAG || ++events[0] <= max);
    return walked == UNREAD ? countEventsByProtobuf(bytes, max) : events[0];
  }

  /**
   * Whether every {@code events} field of a serialised batch is at most {@code maxEventBytes} long
   * on the wire (each is skipped by its length, nothing is built); false for anything the plain
   * walk does not read (groups, a truncated or malformed field), so that the caller checks the
   * parsed batch instead.
   */
  static boolean eventsWithin(byte[] bytes, int maxEventBytes) {
    return walk(bytes, (tag, length) -> tag != EVENTS_TAG || length <= maxEventBytes) == WALKED;
  }

  /** One top-level field met by {@link #walk}: true to go on, false to stop there. */
  private interface FieldVisitor {
    /** {@code length}: a length-delimited field's, -1 for other wire types. */
    boolean field(int tag, int length);
  }

  private static final int WALKED = 0;
  private static final int STOPPED = 1;
  private static final int UNREAD = 2;

  /**
   * The top-level fields of a serialised message, each skipped by its wire type and length, nothing
   * built: a plain loop over the bytes for the wire types a batch's top-level fields have. {@link
   * #UNREAD} for anything else (groups, field number 0, a truncated or malformed field), {@link
   * #STOPPED} when the visitor stopped, {@link #WALKED} at the end.
   */
  private static int walk(byte[] bytes, FieldVisitor visitor) {
    int pos = 0;
    int end = bytes.length;
    while (pos < end) {
      // the tag: a varint of at most 5 bytes
      int tag = 0;
      int shift = 0;
      byte b;
      do {
        if (pos == end || shift > 28) {
          return UNREAD;
        }
        b = bytes[pos++];
        tag |= (b & 0x7f) << shift;
        shift += 7;
      } while (b < 0);
      int length = -1;
      switch (tag & 7) {
        case WireFormat.WIRETYPE_VARINT -> {
          int last = Math.min(end, pos + 10);
          while (pos < last && bytes[pos] < 0) pos++;
          if (pos == last) {
            return UNREAD;
          }
          pos++;
        }
        case WireFormat.WIRETYPE_FIXED64 -> pos += 8;
        case WireFormat.WIRETYPE_FIXED32 -> pos += 4;
        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
          length = 0;
          shift = 0;
          do {
            if (pos == end || shift > 28) {
              return UNREAD;
            }
            b = bytes[pos++];
            length |= (b & 0x7f) << shift;
            shift += 7;
          } while (b < 0);
          if (length < 0 || length > end - pos) {
            return UNREAD;
          }
          pos += length;
        }
        default -> {
          return UNREAD;
        }
      }
      if (tag >>> 3 == 0 || pos > end) {
        return UNREAD;
      }
      if (!visitor.field(tag, length)) {
        return STOPPED;
      }
    }
    return WALKED;
  }

  /** {@link #countEvents}, reading with protobuf's own reader: its exact errors, groups skipped. */
  static int countEventsByProtobuf(byte[] bytes, int max) throws InvalidProtocolBufferException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    int events = 0;
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == EVENTS_TAG && ++events > max) {
          return events;
        }
        if (!in.skipField(tag)) {
          break;
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    return events;
  }

  /**
   * The size an {@link #OVERSIZE} header gives, or -1 when the record was not cut. Only this
   * collector's deserializer sets it: one a producer sent is removed before.
   */
  static long oversize(Headers headers) {
    Header h = headers.lastHeader(OVERSIZE);
    if (h == null || h.value() == null) {
      return -1;
    }
    try {
      return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The main consumer's value deserializer: values beyond the byte limit are cut at once. */
  Deserializer<byte[]> values() {
    return new CuttingDeserializer(maxBytes);
  }

  /**
   * Cuts values longer than the limit to their first {@link #KEPT_PREFIX} bytes and says so in a
   * header. The consumer has already allocated the whole value (Kafka's record reader does, for a
   * compressed batch); this makes it garbage at once instead of copying it (Kafka's default
   * deserializer copies) and handing it to Kafka Streams' buffers.
   */
  static final class CuttingDeserializer implements Deserializer<byte[]> {
    private final int max;

    CuttingDeserializer(int max) {
      this.max = max;
    }

    @Override
    public byte[] deserialize(String topic, byte[] data) {
      return data;
    }

    @Override
    public byte @Nullable [] deserialize(
        String topic, @Nullable Headers headers, byte @Nullable [] data) {
      if (headers != null) {
        headers.remove(OVERSIZE);
      }
      if (data == null || data.length <= max) {
        return data;
      }
      mark(headers, data.length);
      return java.util.Arrays.copyOf(data, KEPT_PREFIX);
    }

    @Override
    public byte @Nullable [] deserialize(
        String topic, @Nullable Headers headers, @Nullable ByteBuffer data) {
      if (headers != null) {
        headers.remove(OVERSIZE);
      }
      if (data == null) {
        return null;
      }
      int size = data.remaining();
      byte[] out = new byte[size <= max ? size : KEPT_PREFIX];
      data.duplicate().get(out);
      if (size > max) {
        mark(headers, size);
      }
      return out;
    }

    private static void mark(@Nullable Headers headers, long size) {
      if (headers != null) {
        headers.add(OVERSIZE, Long.toString(size).getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
