package dev.tripline.bootstrap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The start-up buffer keeps what the recorder later judges: a deep stack's outermost frames (where
 * the call site and context frames of a framework's start-up lie), within a bounded frame budget.
 */
class EarlyBufferTest {
  @Test
  void aDeepStackIsKeptWholeSoItsOutermostFramesAreJudged() {
    EarlyBuffer buffer = new EarlyBuffer();
    deep(300, () -> buffer.observe(1, "/app/.aws/credentials", null, 0, null));
    List<EarlyBuffer.Observation> seen = buffer.drain(0);
    assertEquals(1, seen.size());
    List<StackWalker.StackFrame> frames = seen.get(0).frames;
    assertTrue(frames.size() > 300, "kept " + frames.size() + " frames");
    assertTrue(
        frames.stream()
            .anyMatch(
                f ->
                    f.getMethodName().equals("aDeepStackIsKeptWholeSoItsOutermostFramesAreJudged")),
        "the test method, 300 frames out, is among the frames kept");
  }

  /**
   * A framework's start-up hands tens of thousands of tasks to pools before the recorder is ready:
   * context-only hooks (task hand-offs, request scopes) take no slot and no stack, so the
   * credential read after them is kept, with its stack, first in line.
   */
  @Test
  void contextOnlyHooksTakeNoRoomFromTheIoThatMatters() {
    EarlyBuffer buffer = new EarlyBuffer();
    buffer.contextOnly(new boolean[] {false, false, true});
    buffer.contextOnly(
        new boolean[] {false, true, false}); // once only: a later call changes nothing
    for (int i = 0; i < 3 * EarlyBuffer.CAPACITY; i++) {
      buffer.observe(2, new Object(), null, 0, null); // a task handed over
    }
    buffer.observe(1, "/app/.aws/credentials", null, 0, null);
    List<EarlyBuffer.Observation> seen = buffer.drain(0);
    assertEquals(1, seen.size());
    assertEquals("/app/.aws/credentials", seen.get(0).a);
    assertTrue(!seen.get(0).frames.isEmpty(), "kept with its stack");
    assertEquals(0, buffer.dropped());
  }

  /**
   * A halt during start-up: no shutdown hook runs after it and the buffer is replayed only once the
   * recorder takes over, so the halting thread waits for that, then its report goes to the recorder
   * (which sends the last events); it never takes a slot.
   */
  @Test
  void aHaltWaitsForTheRecorderThenGoesToIt() throws Exception {
    EarlyBuffer buffer = new EarlyBuffer();
    buffer.halting(new boolean[] {false, false, false, true}, 600_000);
    buffer.observe(1, "/app/.aws/credentials", null, 0, null);
    List<Integer> recorded = new CopyOnWriteArrayList<>();
    TriplineDispatcher recorder = (hook, a, b, n, error) -> recorded.add(hook);
    Thread halting = new Thread(() -> buffer.observe(3, null, null, 0, null), "halting");
    halting.start();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> halting.getState() == Thread.State.TIMED_WAITING);
    assertTrue(recorded.isEmpty(), "nothing handed on before the recorder took over");
    List<EarlyBuffer.Observation> replay = buffer.handOver(0, recorder);
    assertEquals(1, replay.size(), "the halt took no slot: only the read is replayed");
    assertTrue(halting.isAlive(), "still waiting: the hand-over's list is not replayed yet");
    buffer.replayed();
    halting.join(Duration.ofMinutes(1).toMillis());
    assertFalse(halting.isAlive());
    assertEquals(List.of(3), recorded);
  }

  /**
   * Fails open: with no recorder within {@code halt.wait} the halt goes ahead, reporting nothing.
   */
  @Test
  void aHaltWaitsNoLongerThanItsBound() {
    EarlyBuffer buffer = new EarlyBuffer();
    buffer.halting(new boolean[] {false, true}, 20);
    assertTimeoutPreemptively(Duration.ofMinutes(1), () -> buffer.observe(1, null, null, 0, null));
    assertEquals(List.of(), buffer.drain(0));
  }

  @Test
  void deepStacksShareABudgetThenKeepTheirInnermostFrames() {
    EarlyBuffer buffer = new EarlyBuffer();
    int observations = 2 * EarlyBuffer.FRAME_BUDGET / 300;
    for (int i = 0; i < observations; i++) {
      String path = "/app/file-" + i;
      deep(300, () -> buffer.observe(1, path, null, 0, null));
    }
    List<EarlyBuffer.Observation> seen = buffer.drain(0);
    assertEquals(observations, seen.size());
    long beyondShallow =
        seen.stream()
            .mapToLong(o -> Math.max(0, o.frames.size() - EarlyBuffer.SHALLOW_FRAMES))
            .sum();
    assertTrue(
        beyondShallow <= EarlyBuffer.FRAME_BUDGET + EarlyBuffer.MAX_FRAMES,
        "frames beyond the shallow share: " + beyondShallow);
    assertTrue(seen.get(0).frames.size() > 300, "the first keep their whole stack");
    assertEquals(
        EarlyBuffer.SHALLOW_FRAMES,
        seen.get(observations - 1).frames.size(),
        "once the budget is spent, the innermost frames");
  }

  private static void deep(int depth, Runnable then) {
    if (depth == 0) {
      then.run();
    } else {
      deep(depth - 1, then);
    }
  }
}
