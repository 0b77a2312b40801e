package dev.tripline.agent;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.health.Coverage;
import dev.tripline.agent.identity.IdentityResolver;
import dev.tripline.agent.instrument.Hooks;
import dev.tripline.agent.pipeline.EventRecorder;
import dev.tripline.agent.pipeline.Pipeline;
import dev.tripline.agent.pipeline.Sinks;
import dev.tripline.bootstrap.TriplineBridge;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/** Wires the agent once the bridge is on the bootstrap class path: config, hooks, pipeline. */
public final class AgentStarter {
  private AgentStarter() {}

  /**
   * Loads (without initialising) each hooked JDK class the application has not loaded yet, on the
   * agent's own thread: its hooks are woven now, so one still missing afterwards did not match.
   */
  static void loadHookedTypes(Hooks hooks) {
    for (String type : hooks.types()) {
      try {
        Class.forName(type, false, null);
      } catch (ClassNotFoundException | LinkageError e) {
        // absent on this JDK: its hooks stay missing, which is what the heartbeat should say
      }
    }
  }

  public static void start(Instrumentation inst, AgentConfig config) {
    long t0 = System.nanoTime();
    AgentStats stats = new AgentStats();
    stats.errorsFrom(() -> TriplineBridge.errors);
    EventRecorder recorder = new EventRecorder(config, stats);
    long t1 = System.nanoTime();
    Hooks hooks = new Hooks(config);
    long t2 = System.nanoTime();
    hooks.install(inst);
    long t3 = System.nanoTime();
    Coverage coverage = new Coverage(config.warnings(), hooks::applied, hooks::all, () -> loadHookedTypes(hooks));
    Pipeline pipeline = new Pipeline(config, recorder, stats,
        () -> Sinks.create(config, stats), () -> IdentityResolver.resolve(config), coverage);
    TriplineBridge.dispatcher = recorder; // before the pipeline starts: if its sink fails, it can take this back
    Thread thread = pipeline.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      TriplineBridge.markAgentThread();
      TriplineBridge.dispatcher = null;
      pipeline.stop(thread, 3_000);
      if (config.debug()) {
        List<String> missing = new ArrayList<>(hooks.all());
        missing.removeAll(hooks.applied());
        System.err.println("[tripline] hooks applied " + hooks.applied().size() + "/" + hooks.all().size()
            + (missing.isEmpty() ? "" : "; not applied: " + missing)
            + (hooks.failures().isEmpty() ? "" : "; failures: " + hooks.failures())
            + "; events seen " + stats.seenCount() + ", errors " + stats.errorCount());
      }
    }, "tripline-shutdown"));
    if (config.debug()) {
      System.err.println("[tripline] agent started: sink=" + config.get("sink") + ", hooks " + hooks.all()
          + "; recorder " + (t1 - t0) / 1_000_000 + " ms, hook list " + (t2 - t1) / 1_000_000 + " ms, weaving "
          + (t3 - t2) / 1_000_000 + " ms");
    }
  }
}
