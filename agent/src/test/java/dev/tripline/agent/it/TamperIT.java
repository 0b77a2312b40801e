package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * A payload inside the JVM tries to blind the real agent with what plain reflection allows, then
 * reads a credential file and spawns a shell: each attempt either fails or is reported in the
 * heartbeat (tamper findings), and the attack after it is still seen.
 */
class TamperIT {
  private static final String APP = "dev.tripline.testapp.TamperApp";

  private static AgentRun attempt(Path java, Path work, String attempt) throws Exception {
    return attempt(java, work, attempt, 0L);
  }

  private static AgentRun attempt(Path java, Path work, String attempt, long canaryFailed)
      throws Exception {
    Path secret = work.resolve(".aws").resolve("credentials");
    Files.createDirectories(secret.getParent());
    Files.writeString(secret, "[default]\naws_secret_access_key=not-a-real-one\n");
    AgentRun run =
        AgentRun.testApp(
                java,
                work,
                APP,
                List.of("-Dtripline.heartbeat.interval=1s"),
                attempt,
                secret.toString(),
                work.resolve("events.jsonl").toString())
            .assertFinished("TAMPER DONE");
    assertTrue(
        run.ofKind("FILE_READ").stream().anyMatch(e -> secret.toString().equals(e.get("path"))),
        () -> "the credential read after '" + attempt + "' was seen\n" + run);
    assertTrue(
        run.ofKind("PROCESS_SPAWN").stream()
            .anyMatch(e -> List.of("/bin/sh", "-c", "true").equals(e.get("argv"))),
        () -> "the shell spawned after '" + attempt + "' was seen\n" + run);
    Map<String, Object> last = lastHealth(run);
    assertEquals(canaryFailed, last.get("canaryFailed"), () -> "failed canaries\n" + run);
    assertTrue((Long) last.get("canaryOk") > 0, () -> "canaries were performed\n" + run);
    return run;
  }

  private static Map<String, Object> lastHealth(AgentRun run) {
    List<Map<String, Object>> health = run.ofKind("AGENT_HEALTH");
    assertFalse(health.isEmpty(), run::toString);
    return health.get(health.size() - 1);
  }

  private static List<String> findings(AgentRun run) {
    return run.ofKind("AGENT_HEALTH").stream()
        .flatMap(h -> ((List<?>) h.getOrDefault("tamperFindings", List.of())).stream())
        .map(Object::toString)
        .distinct()
        .collect(Collectors.toList());
  }

  @OnEveryJdk
  void nullingTheDispatcherByReflectionFails(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "nullDispatcher");
    assertTrue(run.output.contains("no public dispatcher field"), run::toString);
    assertTrue(
        run.output.contains("refused dev.tripline.bootstrap.TriplineBridge$Live.DISPATCHER"),
        run::toString);
    assertTrue(
        run.output.contains("refused dev.tripline.bootstrap.TriplineBridge.EARLY"), run::toString);
    assertFalse(
        run.output.contains("SET dev.tripline.bootstrap.TriplineBridge$Live"), run::toString);
  }

  @OnEveryJdk
  void deepReflectionIntoTheRecorderFailsAndUnsafeIsReportedAndHealed(Path java, @TempDir Path work)
      throws Exception {
    AgentRun run = attempt(java, work, "recorderOff", 1L);
    assertTrue(
        run.output.contains("setAccessible refused: InaccessibleObjectException"), run::toString);
    assertFalse(run.output.contains("SET recorder.off by reflection"), run::toString);
    // sun.misc.Unsafe is not refused (nothing in the JVM can refuse it): the canary reports it.
    assertTrue(run.output.contains("SET recorder.off by Unsafe"), run::toString);
    assertTrue(
        findings(run).contains("canary did not arrive at the recorder")
            && findings(run).contains("the recorder had been switched off; switched on again"),
        () -> "reported: " + findings(run));
  }

  @OnEveryJdk
  void theAgentsModuleOpensNothingToTheApplication(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "module");
    assertTrue(run.output.contains("recorder in module dev.tripline.agent"), run::toString);
    assertTrue(
        run.output.contains(
            "setAccessible off refused: java.lang.reflect.InaccessibleObjectException"),
        run::toString);
    assertFalse(run.output.contains("OPENED"), run::toString);
    assertTrue(
        run.output.contains(
            "privateLookupIn dev.tripline.agent.instrument.HookDispatcher refused: IllegalAccessException"),
        run::toString);
    assertTrue(
        run.output.contains("privateLookupIn jdk.internal.loader.Loader refused"), run::toString);
    assertFalse(run.output.contains("PRIVATE LOOKUP IN"), run::toString);
    assertTrue(
        run.output.contains(
            "not found through the application's loader: dev.tripline.agent.instrument.HookDispatcher"),
        run::toString);
    assertTrue(
        run.output.contains(
            "second start refused: java.lang.IllegalStateException: the agent was started already"),
        run::toString);
  }

  @OnEveryJdk
  void theAgentsThreadsLeadNowhere(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "threads");
    assertTrue(run.output.matches("(?s).*thread fields refused: [1-9]\\d*.*"), run::toString);
    assertFalse(run.output.contains("OPENED"), run::toString);
  }

  @OnEveryJdk
  void markAgentThreadFromTheApplicationIsRefusedAndReported(Path java, @TempDir Path work)
      throws Exception {
    AgentRun run = attempt(java, work, "markAgentThread");
    assertTrue(run.output.contains("markAgentThread returned false"), run::toString);
    assertTrue(
        findings(run).stream()
            .anyMatch(
                f -> f.startsWith("refused markAgentThread from dev.tripline.testapp.TamperApp")),
        () -> "reported: " + findings(run));
  }

  @OnEveryJdk
  void aThreadNamedAsTheAgentsKafkaThreadStaysVisible(Path java, @TempDir Path work)
      throws Exception {
    AgentRun run = attempt(java, work, "rename");
    assertTrue(
        run.ofKind("NET_CONNECT").stream()
            .anyMatch(e -> "kafka-producer-network-thread | tripline".equals(e.get("thread"))),
        () -> "the renamed thread's connect was seen\n" + run);
    assertTrue(
        findings(run).stream().anyMatch(f -> f.startsWith("refused markAgentThread")),
        () -> "the claim was reported: " + findings(run));
  }

  @OnEveryJdk
  void noInstrumentationIsReachableAndInternalUnsafeIsClosed(Path java, @TempDir Path work)
      throws Exception {
    AgentRun run = attempt(java, work, "instrumentation");
    assertTrue(run.output.contains("instrumentation not found in "), run::toString);
    assertTrue(run.output.contains("internal Unsafe refused"), run::toString);
  }

  @OnEveryJdk
  void interruptingTheAgentsThreadsStopsNothing(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "interrupt");
    assertTrue(run.output.matches("(?s).*interrupted [1-9]\\d* agent threads.*"), run::toString);
    assertTrue(
        findings(run).contains("pipeline thread interrupted"), () -> "reported: " + findings(run));
  }
}
