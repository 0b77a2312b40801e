package dev.tripline.collector.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Issue 21 case 1: what one input record may cost, checked before it is materialised. */
class InputLimitsTest {
  private static final long HEAP_768_MIB = 768L << 20;

  /** A batch as a bomb is built: one agent, then {@code n} copies of one small event. */
  static byte[] bomb(int n) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeMessage(
        EventBatch.AGENT_FIELD_NUMBER, AgentIdentity.newBuilder().setService("bomber").build());
    // 86 bytes framed, as the events: 3 million of them are 258 MB.
    ByteString event =
        PipelineFixtures.read("/srv/app/data/cache/segments/000001.bin").toByteString();
    for (int i = 0; i < n; i++) {
      out.writeBytes(EventBatch.EVENTS_FIELD_NUMBER, event);
    }
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void theByteLimitNeverExceedsASixtyFourthOfTheHeapNorFallsBelowWhatAgentsSend() {
    assertEquals(4 << 20, new InputLimits(4 << 20, 5000, HEAP_768_MIB).maxBytes());
    InputLimits lowered = new InputLimits(Integer.MAX_VALUE, 5000, HEAP_768_MIB);
    assertEquals(12 << 20, lowered.maxBytes());
    assertTrue(lowered.heapNote().contains("lowered to 12582912"), lowered.heapNote());
    assertEquals(InputLimits.MIN_BYTES, new InputLimits(4 << 20, 5000, 16L << 20).maxBytes());
  }

  @Test
  void aBatchWithTooManyEventsIsRefusedByCountingBeforeAnyEventIsBuilt() throws Exception {
    byte[] bytes = bomb(200_000); // 200 000 events, ~4 MB: 40 MB and more as objects
    InputLimits limits = new InputLimits(Integer.MAX_VALUE, 5000, 64L << 30);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    Parsers.Refused r = assertThrows(Parsers.Refused.class, () -> limits.batch(bytes));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(InputLimits.TOO_MANY_EVENTS, r.reason);
    assertTrue(r.getMessage().contains("more than batch.max.events (5000)"), r.getMessage());
    assertTrue(allocated < 1 << 20, "refusing allocated " + allocated + " bytes");
    // At the limit the batch parses, whole.
    assertEquals(5000, limits.batch(bomb(5000)).getEventsCount());
  }

  @Test
  void aRecordBeyondTheByteLimitIsRefusedUnparsed() {
    InputLimits limits = new InputLimits(1 << 20, 5000, 64L << 30);
    Parsers.Refused r =
        assertThrows(Parsers.Refused.class, () -> limits.batch(new byte[(1 << 20) + 1]));
    assertEquals(InputLimits.TOO_LARGE, r.reason);
    assertTrue(r.getMessage().contains("record of 1048577 bytes (decompressed)"), r.getMessage());
  }

  @Test
  void malformedBytesAreAProtobufErrorNotACrash() {
    InputLimits limits = new InputLimits(1 << 20, 5000, 64L << 30);
    byte[] truncated = {(byte) 0x12, (byte) 0xff, (byte) 0xff, 0x7f}; // events, 2 MB long, absent
    assertThrows(
        com.google.protobuf.InvalidProtocolBufferException.class, () -> limits.batch(truncated));
  }

  @Test
  void theConsumersDeserializerCutsLongValuesAsItReadsThemAndMarksThem() {
    var values = new InputLimits(InputLimits.MIN_BYTES, 5000, 64L << 30).values();
    byte[] big = new byte[InputLimits.MIN_BYTES + 1];
    big[0] = 42;
    RecordHeaders headers = new RecordHeaders();
    byte[] cut = values.deserialize("t", headers, ByteBuffer.wrap(big));
    assertEquals(InputLimits.KEPT_PREFIX, cut.length);
    assertEquals(42, cut[0]);
    assertEquals(InputLimits.MIN_BYTES + 1, InputLimits.oversize(headers));

    // A producer's own "oversize" header is not believed: removed, the value kept whole.
    RecordHeaders forged = new RecordHeaders();
    forged.add(InputLimits.OVERSIZE, "1".getBytes(StandardCharsets.UTF_8));
    byte[] small = {1, 2, 3};
    assertArrayEquals(small, values.deserialize("t", forged, ByteBuffer.wrap(small)));
    assertEquals(-1, InputLimits.oversize(forged));
  }

  @Test
  void realAgentBatchesPass() throws Exception {
    EventBatch b =
        EventBatch.newBuilder()
            .setAgent(AgentIdentity.newBuilder().setService("shop"))
            .addEvents(PipelineFixtures.connect("db", 5432))
            .addEvents(Event.newBuilder(PipelineFixtures.read("/etc/hosts")))
            .build();
    assertEquals(b, new InputLimits(4 << 20, 5000, HEAP_768_MIB).batch(b.toByteArray()));
  }

  /**
   * The count's own loop and protobuf's reader agree on every input: same count, or both refuse.
   */
  @Test
  void theFastEventCountAgreesWithProtobufsReaderOnWellFormedAndMalformedBytes() throws Exception {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(raw);
    out.writeInt32(EventBatch.SCHEMA_VERSION_FIELD_NUMBER, 3);
    out.writeInt64(EventBatch.SEQUENCE_FIELD_NUMBER, -1); // a 10-byte varint
    out.writeMessage(
        EventBatch.AGENT_FIELD_NUMBER, AgentIdentity.newBuilder().setService("shop").build());
    out.writeFixed64(900, 7); // unknown fields of every wire type, a two-byte tag among them
    out.writeFixed32(901, 7);
    out.writeGroup(902, AgentIdentity.newBuilder().setHost("h").build());
    for (int i = 0; i < 40; i++) {
      out.writeMessage(EventBatch.EVENTS_FIELD_NUMBER, PipelineFixtures.connect("db", 5432 + i));
    }
    out.writeBytes(EventBatch.EVENTS_FIELD_NUMBER, ByteString.EMPTY);
    out.flush();
    byte[] batch = raw.toByteArray();
    java.util.Random random = new java.util.Random(21);
    for (int len = 0; len <= batch.length; len++) {
      byte[] prefix = java.util.Arrays.copyOf(batch, len);
      assertSameCount(prefix, 100);
      assertSameCount(prefix, 10);
      byte[] flipped = prefix.clone();
      if (len > 0) {
        flipped[random.nextInt(len)] = (byte) random.nextInt(256);
      }
      assertSameCount(flipped, 100);
    }
    assertEquals(41, InputLimits.countEvents(batch, 100));
    assertEquals(11, InputLimits.countEvents(batch, 10)); // stops one past the cap
  }

  private static void assertSameCount(byte[] bytes, int max) {
    Integer fast;
    Integer reference;
    try {
      fast = InputLimits.countEvents(bytes, max);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      fast = null;
    }
    try {
      reference = InputLimits.countEventsByProtobuf(bytes, max);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      reference = null;
    }
    assertEquals(reference, fast, () -> "bytes " + java.util.HexFormat.of().formatHex(bytes));
  }

  /** Only a batch too short to hold more than the cap skips the count: events take 2 bytes each. */
  @Test
  void theDensestBatchOverTheCapIsStillCounted() throws Exception {
    InputLimits limits = new InputLimits(4 << 20, 5000, 64L << 30);
    for (int n : new int[] {5000, 5001}) {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(raw);
      for (int i = 0; i < n; i++) {
        out.writeBytes(EventBatch.EVENTS_FIELD_NUMBER, ByteString.EMPTY); // 2 bytes: tag, length 0
      }
      out.flush();
      byte[] bytes = raw.toByteArray();
      assertEquals(2 * n, bytes.length);
      if (n == 5000) {
        assertEquals(5000, limits.batch(bytes).getEventsCount());
      } else {
        Parsers.Refused r = assertThrows(Parsers.Refused.class, () -> limits.batch(bytes));
        assertEquals(InputLimits.TOO_MANY_EVENTS, r.reason);
      }
    }
  }
}
