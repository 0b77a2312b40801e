package dev.tripline.agent;

import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.gate.Gate;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.health.Coverage;
import dev.tripline.agent.identity.IdentityResolver;
import dev.tripline.agent.instrument.ContextCounts;
import dev.tripline.agent.instrument.HookDispatcher;
import dev.tripline.agent.instrument.Hooks;
import dev.tripline.agent.pipeline.Pipeline;
import dev.tripline.agent.pipeline.Sinks;
import dev.tripline.agent.protect.EntryDecisions;
import dev.tripline.agent.protect.Judges;
import dev.tripline.agent.protect.ProtectionState;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.agent.transport.KafkaSink;
import dev.tripline.agent.transport.PolicyConsumer;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.model.AgentIdentity;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The agent's thread ({@code tripline-pipeline}), from its first instruction: builds what {@code
 * premain} left out (recorder, caches, protobuf, identity, sink — the Kafka client), takes over
 * from the {@link EarlyBuffer} and replays what it saw, then runs the {@link Pipeline}. All of it
 * happens while the application starts, not before it.
 */
final class AgentRuntime implements Runnable {
  /** Longest the JVM's exit waits for the last events (start-up still running included). */
  static final long EXIT_BUDGET_MS = 5_000;

  private final AgentConfig config;
  private final Hooks hooks;
  private final EarlyBuffer early;
  private final StartupTimes times;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile @Nullable Pipeline pipeline;
  private volatile @Nullable HookDispatcher dispatcher;
  private final AgentStats stats = new AgentStats();
  private volatile @Nullable ProtectionState protection;
  private volatile @Nullable PolicyConsumer policy;

  /** The thread running the pipeline now (the watchdog replaces one that died). */
  private volatile Thread thread;

  private volatile boolean stopping;
  private volatile @Nullable Thread watchdog;

  /** What premain left to weave ({@link Hooks#install}): run first on this thread, once. */
  private volatile @Nullable Runnable lateWeave;

  AgentRuntime(
      AgentConfig config, Hooks hooks, EarlyBuffer early, StartupTimes times, Runnable lateWeave) {
    this.config = config;
    this.hooks = hooks;
    this.early = early;
    this.times = times;
    this.lateWeave = lateWeave;
  }

  /** Starts the agent's thread; returns at once. */
  void start() {
    thread = new Thread(this, "tripline-pipeline");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void run() {
    Gate.markAgentThread();
    Runnable weave = lateWeave;
    lateWeave = null;
    if (weave != null) {
      long w0 = System.nanoTime();
      weave.run(); // catches what it throws: a class it cannot weave is listed with the failures
      times.put("late-weave", System.nanoTime() - w0);
    }
    long t0 = System.nanoTime();
    try {
      stats.errorsFrom(Gate::errors);
      EventRecorder recorder = new EventRecorder(config, stats, System::currentTimeMillis);
      recorder.beforeHalt(this::beforeHalt);
      HookDispatcher dispatcher = new HookDispatcher(hooks, recorder, stats);
      this.dispatcher = dispatcher;
      // What happened first is reported first: replay while the buffer still buffers, then take
      // over and replay the little that came meanwhile (a shape's first file is the first one).
      int replayed = 0;
      for (java.util.List<EarlyBuffer.Observation> batch = early.drain(0);
          !batch.isEmpty() && replayed < EarlyBuffer.CAPACITY;
          batch = early.drain(replayed)) {
        dispatcher.replay(batch);
        replayed += batch.size();
      }
      Gate.seal(dispatcher); // live from here on, and for good
      dispatcher.replay(early.handOver(replayed, dispatcher));
      early.replayed(); // a halt waiting in the buffer goes on to the recorder now
      times.put("recorder", System.nanoTime() - t0);
      Coverage coverage =
          new Coverage(config.warnings(), hooks::applied, hooks::all, () -> loadHookedTypes(hooks));
      Pipeline p =
          new Pipeline(
              config,
              recorder,
              stats,
              () -> Sinks.create(config, stats, () -> new KafkaSink(config, stats)),
              () -> protection(IdentityResolver.resolve(config), dispatcher, recorder),
              coverage,
              () -> Gate.sealedTo(dispatcher),
              dispatcher::heal,
              dispatcher::exiting);
      pipeline = p;
      ready.countDown();
      if (!p.open()) {
        dispatcher.switchOff();
        return;
      }
      startPolicyConsumer();
      if (early.dropped() > 0) {
        stats.dropped(AgentStats.EARLY_FULL, early.dropped());
      }
      times.put("pipeline", System.nanoTime() - t0);
      coverage.startup(times.snapshot());
      times.printOnce();
      watchdog = Watchdog.start(this);
      p.everySecond(this::checkWatchdog);
      p.loop();
    } catch (Throwable e) {
      HookDispatcher d = dispatcher;
      if (d != null) {
        d.switchOff();
      }
      stats.error();
      System.err.println("[tripline] agent off: " + e + "; the application runs on without it");
    } finally {
      ready.countDown();
    }
  }

  /**
   * Protect mode's state for this service, connected to the dispatcher's entry decisions and to the
   * heartbeat, before the meters are published (on the pipeline thread, in {@code open}).
   */
  private AgentIdentity protection(
      AgentIdentity identity, HookDispatcher dispatcher, EventRecorder recorder) {
    boolean braked = config.get(AgentKeys.PROTECT).equals("off");
    ProtectionState state =
        new ProtectionState(
            identity.getService(),
            braked,
            config.get(AgentKeys.PROTECT_MAX_AGE),
            Judges::of,
            Gate::guard);
    stats.protection(state);
    dispatcher.protection(
        new EntryDecisions(
            state,
            recorder.candidates(),
            Gate::markAgentThread,
            ContextCounts::trusted,
            ContextCounts::libraryLoaded),
        state::decisionFailed);
    if (!recorder.candidates().countable()) {
      System.err.println(
          "[tripline] protect: context.frames adds frames to "
              + ContextFrames.COUNTED
              + " ("
              + recorder.candidates().uncounted()
              + "): their classes carry no context frame count, so every guarded call those"
              + " categories decide walks its stack");
    }
    this.protection = state;
    if (braked) {
      System.err.println(
          "[tripline] protect: braked locally (tripline.protect=off): nothing is refused on this"
              + " JVM, monitoring goes on");
    }
    return identity;
  }

  /** The policy thread, when there is a policy to read (Kafka, not braked). */
  private void startPolicyConsumer() {
    ProtectionState state = protection;
    Pipeline p = pipeline;
    if (state == null || p == null || state.braked()) {
      return;
    }
    if (!config.get(AgentKeys.SINK).equals("kafka")) {
      state.unreadable("no policy source: sink is " + config.get(AgentKeys.SINK));
      state.refresh(System.currentTimeMillis());
      return;
    }
    AgentIdentity id = p.identity();
    if (id == null) {
      return;
    }
    policy =
        new PolicyConsumer(
            config.kafkaProducerProperties(),
            config.get(AgentKeys.PROTECT_POLICY_TOPIC),
            id.getService(),
            state,
            stats.tamper()::found);
    policy.start();
  }

  /**
   * JVM exit: stop reporting, then let the pipeline send what is pending — bounded by {@link
   * #EXIT_BUDGET_MS}, and at once when nothing can be delivered (sink {@code none}). The Kafka sink
   * itself waits less for a broker it never reached (see {@code KafkaSink.close}).
   */
  void stop() {
    stopping = true;
    PolicyConsumer pc = policy;
    if (pc != null) {
      pc.stop();
    }
    HookDispatcher d = dispatcher;
    if (d != null) {
      d.switchOff();
    }
    // With no sink nothing leaves the JVM; with Kafka, nothing delivered yet and no broker
    // reachable (a TCP probe of the bootstrap servers, refused at once on a closed port) waiting
    // for the producer is waste.
    boolean unreachable =
        config.get(AgentKeys.SINK).equals("kafka")
            && stats.sentCount() == 0
            && !KafkaSink.anyReachable(config.get(AgentKeys.KAFKA_BOOTSTRAP_SERVERS));
    if (!config.get(AgentKeys.SINK).equals("none") && !unreachable) {
      long deadline = System.currentTimeMillis() + EXIT_BUDGET_MS;
      Pipeline p = awaitPipeline(EXIT_BUDGET_MS);
      if (p != null) {
        p.stop(thread, Math.max(1, deadline - System.currentTimeMillis()));
      }
    }
    printDebugSummary();
  }

  /**
   * On the thread that halts the JVM (after which no shutdown hook runs): what is queued leaves
   * within {@code halt.wait}. Recording goes on meanwhile (switching it off would give other
   * threads an unseen window before the JVM ends). Nothing when the agent stops already (a {@code
   * System.exit} halts after its hooks, this one's included), with no sink, or a wait of 0.
   */
  private void beforeHalt() {
    long budget = haltWait(config);
    if (budget <= 0 || stopping) {
      return;
    }
    long deadline = System.currentTimeMillis() + budget;
    Pipeline p = awaitPipeline(budget);
    if (p == null || !p.drain(Math.max(1, deadline - System.currentTimeMillis()))) {
      // fail open: the halt goes ahead; what is still queued goes with the JVM
      System.err.println(
          "[tripline] halt: the last events did not all leave within halt.wait ("
              + budget
              + " ms); the JVM halts without them");
    }
  }

  /**
   * How long a halt waits for the last events ({@code halt.wait}); 0 with no sink, where nothing
   * leaves the JVM. Read by the start-up buffer (a halt before the recorder) and by {@link
   * #beforeHalt}.
   */
  static long haltWait(AgentConfig config) {
    return config.get(AgentKeys.SINK).equals("none") ? 0 : config.get(AgentKeys.HALT_WAIT);
  }

  /** The pipeline once built (start-up may still be running), or null after {@code waitMs}. */
  private @Nullable Pipeline awaitPipeline(long waitMs) {
    try {
      ready.await(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // what is built already is used
    }
    return pipeline;
  }

  /** With {@code -Dtripline.debug=true}: the start-up phases and what was woven, at exit. */
  private void printDebugSummary() {
    if (config.debug()) {
      times.printOnce();
      java.util.List<String> missing = new java.util.ArrayList<>(hooks.all());
      missing.removeAll(hooks.applied());
      System.err.println(
          "[tripline] hooks applied "
              + hooks.applied().size()
              + "/"
              + hooks.all().size()
              + (missing.isEmpty() ? "" : "; not applied: " + missing)
              + (hooks.failures().isEmpty() ? "" : "; failures: " + hooks.failures())
              + "; events seen "
              + stats.seenCount()
              + ", errors "
              + stats.errorCount());
    }
  }

  /**
   * Called by the watchdog about once a second: a pipeline thread that died while the agent runs
   * (an error its loop could not absorb) is replaced, and the death reported as a tamper finding.
   */
  void check() {
    Pipeline p = pipeline;
    Thread t = thread;
    if (p == null || stopping || !p.running() || t.isAlive() || !p.opened()) {
      return;
    }
    stats.tamper().found("pipeline thread " + t.getName() + " died; restarted");
    Thread next = new Thread(p::loop, "tripline-pipeline");
    next.setDaemon(true);
    thread = next;
    next.start();
  }

  /** Called by the pipeline about once a second: a watchdog that died is replaced. */
  private void checkWatchdog() {
    Thread w = watchdog;
    if (w != null && !w.isAlive() && !stopping) {
      stats.tamper().found("watchdog thread died; restarted");
      watchdog = Watchdog.start(this);
    }
    PolicyConsumer pc = policy;
    if (pc != null && !stopping) {
      pc.aliveOrRestarted();
    }
  }

  boolean stopping() {
    return stopping;
  }

  AgentStats stats() {
    return stats;
  }

  /**
   * Loads (without initialising) each hooked JDK class the application has not loaded yet, on the
   * agent's own thread: its hooks are woven now, so one still missing afterwards did not match.
   */
  static void loadHookedTypes(Hooks hooks) {
    for (String type : hooks.types()) {
      try {
        Class.forName(type, false, null);
      } catch (ClassNotFoundException | LinkageError e) {
        // absent on this JDK (or not in the boot loader: java.net.http), its hooks say so below
        try {
          Class.forName(type, false, ClassLoader.getPlatformClassLoader());
        } catch (ClassNotFoundException | LinkageError again) {
          // absent on this JDK: its hooks stay missing, which is what the heartbeat should say
        }
      }
    }
  }
}
