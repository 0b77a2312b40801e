package dev.tripline.collector.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class SanitizerTest {
  static final long NOW = 1_790_000_000_000L;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Sanitizer sanitizer = new Sanitizer(new EdgeMeters(registry));

  double clamped(String field) {
    var c = registry.find("tripline.values.clamped").tag("field", field).counter();
    return c == null ? 0 : c.count();
  }

  double unknown(String what) {
    return registry.get("tripline.events.unknown").tag("what", what).counter().count();
  }

  static Event.Builder sane() {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setCount(3)
        .setFirstSeenMs(NOW - 5_000)
        .setLastSeenMs(NOW - 1_000)
        .setBytes(512)
        .setNetwork(NetworkTarget.newBuilder().setHost("db").setPort(5432).setLocalPort(40000));
  }

  static EventBatch batch(Event... events) {
    return EventBatch.newBuilder()
        .setSchemaVersion(1)
        .setSentTimeMs(NOW)
        .setAgent(
            AgentIdentity.newBuilder()
                .setService("shop")
                .setPid(42)
                .setStartTimeMs(NOW - 86_400_000L * 400))
        .addAllEvents(java.util.List.of(events))
        .build();
  }

  @Test
  void aSaneBatchIsReturnedAsItIs() {
    EventBatch b =
        batch(sane().build(), sane().setKind(EventKind.FILE_READ).clearNetwork().build());
    assertSame(b, sanitizer.sanitize(b, NOW));
    assertEquals(0, registry.get("tripline.events.unknown").tag("what", "kind").counter().count());
  }

  @Test
  void countsAreClampedToOneBillionAndNeverNegative() {
    EventBatch b =
        sanitizer.sanitize(
            batch(
                sane().setCount(-9_223_372_036_854_775_807L).build(),
                sane().setCount(Long.MAX_VALUE).build(),
                sane().setCount(0).build()),
            NOW);
    assertEquals(1, b.getEvents(0).getCount());
    assertEquals(Sanitizer.MAX_COUNT, b.getEvents(1).getCount());
    assertEquals(
        0, b.getEvents(2).getCount(), "0 means 1 to detection (Math.max(1, count)): left alone");
    assertEquals(2, clamped("count"));
    long total = 0;
    for (Event e : b.getEventsList()) total = Math.addExact(total, Math.max(1, e.getCount()));
    assertTrue(total > 0 && total <= 3 * Sanitizer.MAX_COUNT);
  }

  @Test
  void timesOutsideSaneBoundsBecomeNow() {
    long year3000 =
        ZonedDateTime.of(3000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();
    EventBatch b =
        sanitizer.sanitize(
            batch(
                sane().setFirstSeenMs(1).setLastSeenMs(year3000).build(), // far past, year 3000
                sane().setFirstSeenMs(0).setLastSeenMs(0).build(), // unset: filled in, not counted
                sane().setFirstSeenMs(NOW - 1_000).setLastSeenMs(NOW - 9_000).build()),
            NOW); // first after last
    assertEquals(NOW, b.getEvents(0).getFirstSeenMs());
    assertEquals(NOW, b.getEvents(0).getLastSeenMs());
    assertEquals(NOW, b.getEvents(1).getFirstSeenMs());
    assertEquals(NOW - 9_000, b.getEvents(2).getFirstSeenMs());
    assertEquals(3, clamped("time"));

    EventBatch late =
        sanitizer.sanitize(
            batch(sane().build()).toBuilder()
                .setSentTimeMs(year3000)
                .setAgent(
                    AgentIdentity.newBuilder().setService("shop").setStartTimeMs(-5).setPid(-1))
                .build(),
            NOW);
    assertEquals(NOW, late.getSentTimeMs());
    assertEquals(0, late.getAgent().getStartTimeMs());
    assertEquals(0, late.getAgent().getPid());
  }

  @Test
  void sizesPortsAndHealthCountersAreBounded() {
    EventBatch b =
        sanitizer.sanitize(
            batch(
                    sane().setBytes(-1).build(),
                    sane().setBytes(Long.MAX_VALUE).build(),
                    sane()
                        .setNetwork(
                            NetworkTarget.newBuilder()
                                .setHost("db")
                                .setPort(70_000)
                                .setLocalPort(-3))
                        .build())
                .toBuilder()
                .setSequence(-7)
                .setHealth(
                    AgentHealth.newBuilder()
                        .setEventsSeen(-1)
                        .setEventsDropped(Long.MIN_VALUE)
                        .setQueueDepth(4)
                        .putDroppedByReason("queue_full", -9))
                .build(),
            NOW);
    assertEquals(0, b.getEvents(0).getBytes());
    assertEquals(Sanitizer.MAX_BYTES, b.getEvents(1).getBytes());
    assertEquals(0, b.getEvents(2).getNetwork().getPort());
    assertEquals(0, b.getEvents(2).getNetwork().getLocalPort());
    assertEquals("db", b.getEvents(2).getNetwork().getHost());
    assertEquals(0, b.getSequence());
    assertEquals(0, b.getHealth().getEventsSeen());
    assertEquals(0, b.getHealth().getEventsDropped());
    assertEquals(4, b.getHealth().getQueueDepth());
    assertEquals(0, b.getHealth().getDroppedByReasonOrThrow("queue_full"));
    assertEquals(2, clamped("bytes"));
    assertEquals(1, clamped("port"));
    assertEquals(1, clamped("health"));
  }

  /**
   * A newer agent's event: kind 99 and a field number this build does not know, next to known
   * events.
   */
  static byte[] newerSchemaBatch(Event known) throws Exception {
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    CodedOutputStream e = CodedOutputStream.newInstance(event);
    e.writeEnum(1, 99); // kind: a value added after this build
    e.writeMessage(4, dev.tripline.model.FileTarget.newBuilder().setPath("/srv/new").build());
    e.writeInt64(9, 1);
    e.writeString(45, "a field of a future schema"); // unknown field number
    e.flush();
    // First in the batch: before this fix it made the whole batch a dead letter before the known
    // event was seen.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream b = CodedOutputStream.newInstance(out);
    b.writeByteArray(3, event.toByteArray()); // EventBatch.events[0]
    b.writeString(40, "batch-level future field");
    b.flush();
    out.write(batch(known).toByteArray()); // agent, events[1]
    return out.toByteArray();
  }

  @Test
  void unknownKindsAreKeptAsUnspecifiedAndUnknownFieldsDroppedBothCounted() throws Exception {
    EventBatch parsed =
        (EventBatch)
            Parsers.EVENT_BATCH.decode(
                new InputLimits(4 << 20, 5000, Runtime.getRuntime().maxMemory()),
                newerSchemaBatch(sane().build()));
    assertEquals(EventKind.UNRECOGNIZED, parsed.getEvents(0).getKind());
    EventBatch b = sanitizer.sanitize(parsed, NOW);
    assertEquals(2, b.getEventsCount());
    assertEquals(sane().build().getNetwork(), b.getEvents(1).getNetwork());
    assertEquals(EventKind.EVENT_KIND_UNSPECIFIED, b.getEvents(0).getKind());
    assertEquals("/srv/new", b.getEvents(0).getFile().getPath(), "the rest of the event is kept");
    assertTrue(
        b.getUnknownFields().asMap().isEmpty()
            && b.getEvents(0).getUnknownFields().asMap().isEmpty());
    assertEquals(1, unknown("kind"));
    assertEquals(2, unknown("field"));
  }
}
