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
        run.output.contains("refused dev.tripline.bootstrap.TriplineBridge$Port.GATE"),
        run::toString);
    assertFalse(
        run.output.contains("SET dev.tripline.bootstrap.TriplineBridge$Port"), run::toString);
    // the gate's fields (the dispatcher, the counters, the early buffer): closed in java.base
    assertTrue(
        run.output.matches("(?s).*refused jdk\\.internal\\.\\w+\\.TriplineGate\\.live.*"),
        run::toString);
    assertTrue(
        run.output.matches("(?s).*refused jdk\\.internal\\.\\w+\\.TriplineGate\\.DEPTH.*"),
        run::toString);
    assertFalse(run.output.contains("SET jdk.internal."), run::toString);
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
        run.output.contains("second start refused: java.lang.reflect.InaccessibleObjectException"),
        run::toString);
    assertTrue(
        run.output.contains("module requires [], parent layer empty true, reads java.base true"),
        run::toString);
    for (String definer : new String[] {"BootDefiner", "ModuleDefiner"}) {
      assertTrue(
          run.output.contains(
              definer + " through the application's loader: java.lang.ExceptionInInitializerError"),
          run::toString);
    }
    assertTrue(run.output.contains("hand-over slot: null"), run::toString);
    assertTrue(run.output.contains("gate's trust slot: null"), run::toString);
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
    assertTrue(run.output.contains("no markAgentThread on the bridge"), run::toString);
    assertTrue(
        run.output.contains("gate markAgentThread refused: IllegalAccessException"), run::toString);
    assertFalse(run.output.contains("GATE MARKED"), run::toString);
  }

  /**
   * Every public method of every bridge class the application can reach (and of every object
   * reachable from their fields), called from the attacking thread with hostile arguments: entries
   * without their exits, returned arrays overwritten, a dispatcher of its own handed in. The
   * thread's credential read and shell are still seen.
   */
  @OnEveryJdk
  void theBridgesPublicSurfaceSilencesNothing(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "bridgeSurface");
    assertTrue(
        run.output.matches("(?s).*bridge classes reached: [5-9], calls made: [1-9]\\d{2,}.*"),
        run::toString);
    assertFalse(run.output.contains("not in the boot loader: TriplineBridge\n"), run::toString);
    // no JDK hook's observation forged through the library entry (hooks 0 and 3 are the JDK's):
    // no event names the payload's hostile path
    assertTrue(
        run.events.stream().noneMatch(e -> e.toString().contains("/etc/shadow")),
        () -> "a forged observation was reported\n" + run);
  }

  /** The gate the woven JDK code calls: found by name, and no door of plain Java opens it. */
  @OnEveryJdk
  void theGateIsOutOfReach(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "gate");
    assertTrue(
        run.output.matches(
            "(?s).*gate found by name: jdk\\.internal\\.\\w+\\.TriplineGate in module java\\.base.*"),
        run::toString);
    assertTrue(run.output.contains("gate enter refused: IllegalAccessException"), run::toString);
    assertEquals(
        2,
        run.output.split("gate handle refused: IllegalAccessException", -1).length - 1,
        run::toString);
    assertTrue(
        run.output.matches("(?s).*gate members refused setAccessible: [1-9]\\d+.*"), run::toString);
    assertTrue(
        run.output.contains("gate privateLookupIn refused: IllegalAccessException"), run::toString);
    assertTrue(
        run.output.contains("gate refused to the bridge's package: IllegalAccessException"),
        run::toString);
    assertFalse(run.output.contains("GATE "), run::toString);
  }

  /**
   * Stack overflows provoked inside hooked JDK calls, at every depth: a bracket whose exit cannot
   * run must not leave the thread inside it.
   */
  @OnEveryJdk
  void anOverflowInsideAHookLeavesNoBracketOpen(Path java, @TempDir Path work) throws Exception {
    AgentRun run = attempt(java, work, "overflow");
    assertTrue(run.output.matches("(?s).*overflows inside hooks: [1-9]\\d*.*"), run::toString);
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
