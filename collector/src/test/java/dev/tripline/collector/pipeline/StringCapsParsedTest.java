package dev.tripline.collector.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.ProcessTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The edge's fast cap check ({@link StringCaps#applyParsed}: events judged by their length on the
 * wire) decides exactly as the full one ({@link StringCaps#apply}) on every batch, the worst
 * senders' encodings included.
 */
class StringCapsParsedTest {
  private static final int CAP = 64;
  private final StringCaps caps = new StringCaps(CAP, new Meters(new SimpleMeterRegistry()));

  /**
   * A map or a packed list in an event would let a parsed event re-serialise longer than it came:
   * the fast path would then be off. This says so when the schema changes.
   */
  @Test
  void theEventSchemaHasNoEncodingThatGrowsWhenReserialised() {
    assertTrue(StringCaps.EVENTS_SHRINK_ONLY);
  }

  @Test
  void randomBatchesAroundTheCapAreCappedAlike() throws Exception {
    Random random = new Random(21);
    int capped = 0;
    for (int round = 0; round < 3_000; round++) {
      byte[] wire = randomBatch(random);
      EventBatch parsed;
      try {
        parsed = EventBatch.parseFrom(wire);
      } catch (InvalidProtocolBufferException e) {
        continue; // refused before any cap
      }
      EventBatch full = caps.apply(parsed);
      assertEquals(full, caps.applyParsed(parsed, wire), "round " + round);
      if (!full.equals(parsed)) capped++;
    }
    assertTrue(capped > 300, "the rounds reach the cap often: " + capped);
  }

  @Test
  void anEventOverHalfTheCapOnTheWireIsCheckedInFull() throws Exception {
    for (int len = CAP / 2 - 20; len <= CAP + 20; len++) {
      EventBatch b =
          EventBatch.newBuilder()
              .setAgent(AgentIdentity.newBuilder().setService("s"))
              .addEvents(read("/" + "p".repeat(len)))
              .build();
      byte[] wire = b.toByteArray();
      assertEquals(caps.apply(b), caps.applyParsed(EventBatch.parseFrom(wire), wire), "len " + len);
    }
  }

  @Test
  void eventsWithinReadsOnlyWellFormedTopLevelFields() throws Exception {
    byte[] ok =
        EventBatch.newBuilder()
            .setAgent(AgentIdentity.newBuilder().setService("s"))
            .addEvents(read("/etc/hosts"))
            .build()
            .toByteArray();
    assertTrue(InputLimits.eventsWithin(ok, 100));
    assertFalse(InputLimits.eventsWithin(ok, 5), "an event longer than the bound");
    for (int len = 0; len < ok.length; len++) {
      byte[] prefix = java.util.Arrays.copyOf(ok, len);
      boolean parses;
      try {
        EventBatch.parseFrom(prefix);
        parses = true;
      } catch (InvalidProtocolBufferException e) {
        parses = false;
      }
      // a cut field is never "within": the full check (or the parser's refusal) decides
      if (!parses) {
        assertFalse(InputLimits.eventsWithin(prefix, 100), "prefix " + len);
      }
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(raw);
    out.writeGroup(902, AgentIdentity.newBuilder().setHost("h").build());
    out.flush();
    assertFalse(InputLimits.eventsWithin(raw.toByteArray(), 100), "groups go the full way");
  }

  /**
   * A batch as a hostile sender writes it: events with strings and argv around the cap, fields
   * repeated (merged when parsed), unknown fields, long agent and health lists, random byte flips.
   */
  private static byte[] randomBatch(Random random) throws Exception {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(raw);
    AgentIdentity.Builder agent = AgentIdentity.newBuilder().setService("svc");
    if (random.nextInt(8) == 0) agent.setHost("h".repeat(random.nextInt(2 * CAP)));
    if (random.nextInt(8) == 0) {
      for (int i = random.nextInt(200); i > 0; i--) agent.putLabels("k" + i, "");
    }
    out.writeMessage(EventBatch.AGENT_FIELD_NUMBER, agent.build());
    if (random.nextInt(6) == 0) {
      AgentHealth.Builder h = AgentHealth.newBuilder();
      for (int i = random.nextInt(300); i > 0; i--) h.addConfigWarnings("w");
      out.writeMessage(EventBatch.HEALTH_FIELD_NUMBER, h.build());
    }
    for (int n = random.nextInt(12); n > 0; n--) {
      Event e = randomEvent(random);
      if (random.nextInt(5) == 0) {
        // the same event field twice in one record: the parser merges the two halves
        ByteString half =
            Event.newBuilder()
                .setCallSite(CallSite.newBuilder().setClassName("c".repeat(random.nextInt(CAP))))
                .build()
                .toByteString();
        out.writeBytes(EventBatch.EVENTS_FIELD_NUMBER, e.toByteString().concat(half));
      } else {
        out.writeMessage(EventBatch.EVENTS_FIELD_NUMBER, e);
      }
    }
    if (random.nextInt(10) == 0) out.writeFixed64(900, 7);
    out.flush();
    byte[] bytes = raw.toByteArray();
    if (random.nextInt(10) == 0 && bytes.length > 0) {
      bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static Event randomEvent(Random random) {
    int len = random.nextInt(2 * CAP);
    return switch (random.nextInt(3)) {
      case 0 -> read("/" + "p".repeat(len));
      case 1 -> {
        ProcessTarget.Builder p = ProcessTarget.newBuilder().setExecutable("/bin/sh");
        int args = random.nextInt(4) == 0 ? 250 + random.nextInt(20) : random.nextInt(4);
        for (int i = 0; i < args; i++) p.addArgv(random.nextInt(30) == 0 ? "a".repeat(len) : "a");
        yield Event.newBuilder().setKind(EventKind.PROCESS_SPAWN).setProcess(p).build();
      }
      default ->
          Event.newBuilder()
              .setKind(EventKind.FILE_WRITE)
              .setCallSite(CallSite.newBuilder().setClassName("C".repeat(len)).setMethodName("m"))
              .setFile(FileTarget.newBuilder().setPath("/var/log/app.log"))
              .build();
    };
  }

  private static Event read(String path) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setFile(FileTarget.newBuilder().setPath(path))
        .build();
  }
}
