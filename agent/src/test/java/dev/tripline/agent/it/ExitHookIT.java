package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Act at exit": what an application's own shutdown hook does is seen and sent. The agent's stop
 * (recording off, the last send) runs in the JDK's last system hook slot, after every application
 * hook has ended; as an application hook itself it ran beside them and switched recording off while
 * they still acted (the jar before this test: 0 of 40 connects reported, after exit and return).
 */
class ExitHookIT {
  private static final int CONNECTS = 40;

  @OnEveryJdk
  void whatAShutdownHookDoesAfterSystemExitIsReported(Path java, @TempDir Path work)
      throws Exception {
    assertAllReported(exitHookApp(java, work, "exit"));
  }

  @OnEveryJdk
  void whatAShutdownHookDoesAfterMainReturnsIsReported(Path java, @TempDir Path work)
      throws Exception {
    assertAllReported(exitHookApp(java, work, "return"));
  }

  private static AgentRun exitHookApp(Path java, Path work, String how) throws Exception {
    return AgentRun.testApp(
        java, work, "dev.tripline.testapp.ExitHookApp", List.of(), "" + CONNECTS, how);
  }

  private static void assertAllReported(AgentRun run) {
    assertEquals(0, run.exitCode, run::toString);
    assertTrue(run.output.contains("HOOK DONE"), run::toString);
    assertTrue(
        !run.output.contains("stops beside the application's shutdown hooks"), run::toString);
    assertEquals(
        AgentRun.addresses("127.0.10.", CONNECTS), run.connectedTo("127.0.10."), run::toString);
  }
}
