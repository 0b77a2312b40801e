package dev.tripline.agent;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentEntry;
import dev.tripline.agent.gate.Gate;
import dev.tripline.agent.instrument.Hooks;
import dev.tripline.agent.record.BoundAddresses;
import dev.tripline.bootstrap.EarlyBuffer;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of {@code premain} that runs in the agent's own class loader: weave the hooks (so the
 * application's first I/O is seen), then hand everything else to the agent's thread and return.
 * Until that thread has built the recorder, what the hooks see waits in an {@link EarlyBuffer}.
 *
 * <p>premain reaches it without core reflection ({@link AgentEntry}): initialising this class, on
 * premain's thread, offers premain the one instance. Its package is exported to no one.
 */
public final class AgentStarter implements AgentEntry {
  /** Once per JVM: a second call, whoever makes it, is refused before it does anything. */
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  static {
    AgentEntry.offer(new AgentStarter());
  }

  private AgentStarter() {}

  /** Weaves the hooks, then starts the agent's thread and returns. */
  @Override
  public void start(
      Instrumentation inst,
      AgentConfig config,
      long premainStart,
      long bridgeNanos,
      long moduleNanos) {
    if (!STARTED.compareAndSet(false, true)) {
      throw new IllegalStateException("the agent was started already");
    }
    long t0 = System.nanoTime();
    Hooks hooks = new Hooks(config);
    // Before any application code runs: this loader becomes the one the bridge trusts, for good.
    EarlyBuffer early =
        Gate.trust(
            AgentStarter.class.getClassLoader(), hooks.libraryIds(), hooks.guardedLibraryIds());
    if (early == null) {
      // Only the agent's own module can call trust: the first copy (a second -javaagent, an
      // attach) is trusted and runs on; this one weaves nothing.
      System.err.println(
          "[tripline] a second copy of the agent stays off; the first one runs on (attached"
              + " twice?)");
      return;
    }
    early.contextOnly(hooks.contextOnlyIds());
    early.halting(hooks.haltIds(), AgentRuntime.haltWait(config));
    BoundAddresses.open(inst); // java.net opened to the agent: sockets read past their overrides
    // the last use of inst here: only the weaver and, until the agent's thread has run it, the
    // late weave (context-only classes) refer to it
    Runnable lateWeave = hooks.install(inst);
    long woven = System.nanoTime();
    StartupTimes times = new StartupTimes(config.debug());
    times.put("bridge", bridgeNanos);
    times.put("module", moduleNanos);
    times.put("weave", woven - t0);
    AgentRuntime runtime = new AgentRuntime(config, hooks, early, times, lateWeave);
    LastShutdownHook.register(new Shutdown(runtime));
    runtime.start();
    times.put("premain", System.nanoTime() - premainStart);
  }

  /**
   * At JVM exit, after the application's shutdown hooks ({@link LastShutdownHook}): the last events
   * out, within bounds (see {@link AgentRuntime#stop}). On the exiting thread, marked as the
   * agent's: nothing of the application runs on it any more.
   */
  private static final class Shutdown implements Runnable {
    private final AgentRuntime runtime;

    Shutdown(AgentRuntime runtime) {
      this.runtime = runtime;
    }

    @Override
    public void run() {
      Gate.markAgentThread();
      runtime.stop();
    }
  }
}
