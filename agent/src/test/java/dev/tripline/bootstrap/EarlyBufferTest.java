package dev.tripline.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The start-up buffer keeps what matters when noise comes first (issue 21, 3c). */
class EarlyBufferTest {
  private static final int READ = 1;
  private static final String CREDENTIALS = "/home/app/.aws/credentials";

  @Test
  void failedOpensAndRepeatsDoNotPushOutACredentialRead() {
    EarlyBuffer buffer = new EarlyBuffer();
    for (int i = 0; i < 9_000; i++) {
      buffer.observe(READ, "/app/missing-" + i, null, 0, new FileNotFoundException());
    }
    for (int i = 0; i < 3_000; i++) {
      buffer.observe(READ, "/app/app.properties", null, 0, null);
    }
    buffer.observe(READ, CREDENTIALS, null, 0, null);

    List<EarlyBuffer.Observation> kept = buffer.drain(0);
    List<EarlyBuffer.Observation> credentials =
        kept.stream().filter(o -> CREDENTIALS.equals(o.a)).collect(Collectors.toList());
    assertEquals(1, credentials.size(), "the credential read is kept");
    assertFalse(credentials.get(0).frames.isEmpty(), "with its stack: its call site is known");
    List<EarlyBuffer.Observation> config =
        kept.stream().filter(o -> "/app/app.properties".equals(o.a)).collect(Collectors.toList());
    assertEquals(1, config.size(), "3 000 repeats take one slot");
    assertEquals(2_999, config.get(0).repeats(), "and are counted");
    long failed = kept.stream().filter(o -> o.error != null).count();
    assertEquals(EarlyBuffer.ERROR_SHARE, failed, "failed opens take at most their share");
    assertEquals(9_000 - EarlyBuffer.ERROR_SHARE, buffer.dropped(), "the rest counted as dropped");
    assertEquals(
        EarlyBuffer.ERROR_STACKS,
        kept.stream().filter(o -> o.error != null && !o.frames.isEmpty()).count(),
        "failed opens take at most their share of stacks");
  }

  @Test
  void aRepeatAfterTheDrainIsANewObservationNotALostCount() {
    EarlyBuffer buffer = new EarlyBuffer();
    buffer.observe(READ, "/app/a", null, 0, null);
    assertEquals(1, buffer.drain(0).size());
    buffer.observe(READ, "/app/a", null, 0, null);
    buffer.observe(READ, "/app/a", null, 0, new FileNotFoundException()); // another outcome
    List<EarlyBuffer.Observation> next = buffer.drain(1);
    assertEquals(2, next.size(), next::toString);
    assertEquals(0, next.get(0).repeats());
  }

  @Test
  void distinctObservationsBeyondTheCapacityAreCountedAsDropped() {
    EarlyBuffer buffer = new EarlyBuffer();
    for (int i = 0; i < EarlyBuffer.CAPACITY + 100; i++) {
      buffer.observe(READ, "/app/file-" + i, null, 0, null);
    }
    assertEquals(EarlyBuffer.CAPACITY, buffer.drain(0).size());
    assertEquals(100, buffer.dropped());
    assertTrue(buffer.dropped() > 0);
  }
}
