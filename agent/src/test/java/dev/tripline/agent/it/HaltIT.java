package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Act, then halt": {@code Runtime.halt} runs no shutdown hook, so without the halt hook the last
 * first sights (gathering for the next batch, or not yet written) die with the JVM. The application
 * waits until the agent's sink holds a first connect (the agent is past its start-up), then
 * connects to 40 new addresses and halts at once: every one is in the file only if the halt waited
 * for them ({@code -Dtripline.halt.wait=0s} loses them: checked by hand, see the issue note; not a
 * test, as a descheduled application thread would let them through).
 */
class HaltIT {
  private static final int CONNECTS = 40;

  /**
   * What is tested is that the halt waits, not its default bound (1 s): a loaded machine may need
   * longer to send, and the wait ends as soon as everything left.
   */
  private static final List<String> WAIT = List.of("-Dtripline.halt.wait=2m");

  @OnEveryJdk
  void theLastEventsLeaveBeforeTheJvmHalts(Path java, @TempDir Path work) throws Exception {
    assertAllDelivered(
        AgentRun.testApp(
            java, work, "dev.tripline.testapp.HaltApp", WAIT, String.valueOf(CONNECTS)));
  }

  /**
   * A halt in the agent's start-up (before the recorder takes over from the start-up buffer) waits
   * for the hand-over, then for the send.
   */
  @OnEveryJdk
  void aHaltDuringTheAgentsStartUpWaitsForIt(Path java, @TempDir Path work) throws Exception {
    assertAllDelivered(
        AgentRun.testApp(
            java, work, "dev.tripline.testapp.HaltApp", WAIT, String.valueOf(CONNECTS), "early"));
  }

  private static void assertAllDelivered(AgentRun run) {
    assertEquals(3, run.exitCode, run::toString);
    assertTrue(run.output.contains("HALT NOW "), run::toString);
    assertEquals(
        AgentRun.addresses("127.0.9.", CONNECTS), run.connectedTo("127.0.9."), run::toString);
  }
}
