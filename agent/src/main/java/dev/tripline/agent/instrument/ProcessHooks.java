package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.arg;
import static dev.tripline.agent.instrument.Hook.Value.args;

import dev.tripline.agent.record.Observations;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Processes: {@code ProcessImpl.start}, where every {@code ProcessBuilder.start} and {@code
 * Runtime.exec} ends; and this process's own end by halt.
 */
final class ProcessHooks extends HookGroup {
  ProcessHooks() {
    super("process");
  }

  // start() is scoped: it opens the redirect files (FileInputStream/FileOutputStream of
  // Redirect.from/to/appendTo, reported as the JVM's reads and writes at the spawn's call site) and
  // calls their File's getPath(), the application's code when it is a subclass: those report on
  // their own. Only the fork below it (the constructor probe, inner) is its own.
  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(Hook.exit("process.start", "java/lang/ProcessImpl", "start",
        "([Ljava/lang/String;Ljava/util/Map;Ljava/lang/String;[Ljava/lang/ProcessBuilder$Redirect;Z)",
        START, arg(0), arg(2), NONE).scoped().guarded(Refusal.SPAWN),
        // The constructor that forks: a ProcessImpl built through IMPL_LOOKUP spawns without start().
        // A probe at its entry (ProcessImpl is loaded before premain on JDK 25: its native
        // forkAndExec cannot be wrapped there). Nested in start() it reports nothing. It passes
        // program, argument block and count, environment block and count, and working directory
        // (one array: a spawn is rare), so a payload's LD_PRELOAD is in its event as in start()'s.
        Hook.probe("process.ProcessImpl.new", "java/lang/ProcessImpl", "<init>",
            "([B[BI[BI[B[IZZ)", CONSTRUCTOR, args(0, 1, 2, 3, 4, 5), NONE, NONE).inner(),
        // The child's environment, when the application changed it (else it inherits the JVM's):
        // ProcessImpl.start calls this before forking, on the same thread. A hand-off: seen inside
        // the start() bracket, kept for the spawn that reports next.
        Hook.handoff("process.environment", "java/lang/ProcessEnvironment", "toEnvironmentBlock",
            "(Ljava/util/Map;[I)", ENVIRONMENT, arg(0)),
        // The JVM's own end without shutdown hooks: Runtime.halt, and the last step of
        // System.exit. What is queued leaves before it, within halt.wait ("act, then halt" would
        // otherwise take its last events with it). Shutdown is loaded at premain's end (the
        // agent's shutdown hook): woven as it loads, nothing retransformed.
        Hook.probe("process.halt", "java/lang/Shutdown", "halt", "(I)", HALT, NONE, NONE, NONE).halts());
  }
  // spotless:on

  private static final int START = 0;
  private static final int CONSTRUCTOR = 1;
  private static final int ENVIRONMENT = 2;
  private static final int HALT = 3;

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (action == HALT) {
      to.halting();
    } else if (action == ENVIRONMENT) {
      to.spawnEnvironment(a);
    } else if (action == CONSTRUCTOR) {
      // an ARGS value: the woven code always builds the array
      Object[] v = (Object[]) Objects.requireNonNull(a, "ProcessImpl arguments");
      // the block the child gets (a null block: it inherits the JVM's, nothing differs)
      to.spawnEnvironment(NativeStrings.environment((byte[]) v[3], (Integer) v[4]));
      to.process(
          NativeStrings.argv((byte[]) v[0], (byte[]) v[1], (Integer) v[2]),
          NativeStrings.string((byte[]) v[5]),
          error);
    } else {
      to.process((String[]) a, (String) b, error);
    }
  }
}
