package dev.tripline.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
