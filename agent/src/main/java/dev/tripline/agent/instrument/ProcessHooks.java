package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.pipeline.Observations;
import java.util.List;

/**
 * Processes: {@code ProcessImpl.start}, where every {@code ProcessBuilder.start} and {@code
 * Runtime.exec} ends.
 */
final class ProcessHooks extends HookGroup {
  ProcessHooks() {
    super("process");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(Hook.exit("process.start", "java/lang/ProcessImpl", "start",
        "([Ljava/lang/String;Ljava/util/Map;Ljava/lang/String;[Ljava/lang/ProcessBuilder$Redirect;Z)",
        0, arg(0), arg(2), NONE));
  }
  // spotless:on

  @Override
  public void observe(int action, Object a, Object b, int n, Throwable error, Observations to) {
    to.process((String[]) a, (String) b, error);
  }
}
