package dev.tripline.collector.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Issue 21 case 1: a failure is charged to the record that caused it, never to another's. */
class PoisonGuardTest {
  private static final PoisonGuard.Position INNOCENT = new PoisonGuard.Position("events.a", 0, 7);
  private static final PoisonGuard.Position BOMB = new PoisonGuard.Position("events.b", 1, 3);

  /** Runs {@code body} on a thread of its own (as a stream thread) and waits for it. */
  private static <T> T onThread(java.util.function.Supplier<T> body) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    Thread t = new Thread(() -> result.set(body.get()));
    t.start();
    t.join();
    return result.get();
  }

  @Test
  void aFailureWhileProcessingIsChargedToThatThreadsRecordOnly() throws Exception {
    PoisonGuard g = new PoisonGuard(2);
    // Another thread began the innocent record last; the failing thread was on the bomb.
    PoisonGuard.Position charged =
        onThread(
            () -> {
              g.begin(BOMB);
              onThreadQuietly(() -> g.begin(INNOCENT));
              return g.threadFailed(new OutOfMemoryError("Java heap space"));
            });
    assertEquals(BOMB, charged);
    assertEquals(1, g.tries(BOMB));
    assertEquals(0, g.tries(INNOCENT));
    assertFalse(g.begin(BOMB), "one try left");
    onThread(
        () -> {
          g.begin(BOMB); // the replaced thread meets it again
          return g.threadFailed(new OutOfMemoryError("Java heap space"));
        });
    assertTrue(g.begin(BOMB), "charged twice: skipped from now on");
    assertFalse(g.begin(INNOCENT));
  }

  @Test
  void anErrorOutsideProcessingIsChargedToNoRecord() throws Exception {
    PoisonGuard g = new PoisonGuard(1);
    // The consumer's fetch runs the out-of-memory after the thread finished its last record.
    PoisonGuard.Position charged =
        onThread(
            () -> {
              g.begin(INNOCENT);
              g.end();
              return g.threadFailed(new OutOfMemoryError("Java heap space"));
            });
    assertNull(charged);
    assertFalse(g.begin(INNOCENT));
    // The global thread, which never begins a record: nobody.
    assertNull(onThread(() -> g.threadFailed(new IllegalStateException("global"))));
    assertTrue(g.lastFailure().contains("global"));
  }

  @Test
  void anExceptionAtCommitIsChargedToTheTransactionsLastRecordAndReplayedCarefully()
      throws Exception {
    PoisonGuard g = new PoisonGuard(3);
    PoisonGuard.Position charged =
        onThread(
            () -> {
              g.begin(INNOCENT);
              g.end();
              return g.threadFailed(new IllegalStateException("transaction aborted"));
            });
    assertEquals(INNOCENT, charged);
    assertTrue(g.careful(new PoisonGuard.Position("events.a", 0, 5)));
    assertTrue(g.careful(INNOCENT));
    assertFalse(g.careful(new PoisonGuard.Position("events.a", 0, 8)), "past it: back to normal");
  }

  private static void onThreadQuietly(Runnable r) {
    try {
      onThread(
          () -> {
            r.run();
            return null;
          });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
