package dev.tripline.agent.pipeline;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.gate.Gate;
import dev.tripline.agent.health.AgentMBean;
import dev.tripline.agent.health.AgentMeters;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.health.Coverage;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.agent.record.Occurrence;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The agent's one background thread ({@code tripline-pipeline}): sends new events at once, folded
 * repeats every flush interval, and a heartbeat with the agent's health. It alone talks to the
 * sink.
 */
public final class Pipeline implements Runnable {
  static final int MAX_EVENTS_PER_BATCH = 500;

  /** Well under Kafka's default max.request.size (1 MiB), with room for identity and health. */
  static final int MAX_BATCH_BYTES = 384 * 1024;

  private static final long FIRST_HEARTBEAT_MS = 2_000;

  /**
   * After sending first sights the pipeline gathers the next ones for up to this long, or until a
   * full batch waits, instead of waiting on the queue: the first sights of a burst (a new
   * destination per operation) then gather in the queue without waking this thread, each offer a
   * plain enqueue, and leave as one Kafka record. Waiting on the queue, every offer woke it (a
   * futex call on the application thread, a context switch per event on a machine with few cores);
   * a 2 ms wait still sent one record per ~30 events at 14 000 new destinations a second, and the
   * producer and the broker (on the same two cores in the bench) cost more than the events' naming
   * (docs/benchmarks.md, "Gathering a burst"). A lone first sight is sent at once (the poll returns
   * with it); one that follows another within this window goes out at most this much later.
   */
  static final long GATHER_NS = TimeUnit.MILLISECONDS.toNanos(25);

  /** How often the gathering looks whether a full batch waits. */
  static final long GATHER_STEP_NS = TimeUnit.MILLISECONDS.toNanos(2);

  private final EventRecorder recorder;
  private final AgentStats stats;
  private final Supplier<EventSink> sinkFactory;
  private final Supplier<AgentIdentity> identityFactory;
  private final long flushMs;
  private final long heartbeatMs;
  private final boolean jmx;
  private final Coverage coverage;
  private final BooleanSupplier sealed;

  /** Switches a dispatcher someone else switched off on again; true when it was off. */
  private final BooleanSupplier heal;

  /**
   * True once the agent itself stopped recording (JVM exit): a canary then cannot arrive, and its
   * failure is no tampering.
   */
  private final BooleanSupplier exiting;

  private volatile Runnable everySecond = () -> {};
  private volatile boolean running = true;

  /** Drains asked for ({@link #drain}) and the last one done: a halting thread waits on them. */
  private final AtomicLong drainsAsked = new AtomicLong();

  private volatile long drainsDone;
  private volatile boolean opened;
  private long tamperReported;
  private int errorsSaid;
  private long sequence;

  /** Built by {@link #open}, before {@link #loop} runs. */
  private @Nullable AgentIdentity identity;

  private @Nullable EventSink sink;

  public Pipeline(
      AgentConfig config,
      EventRecorder recorder,
      AgentStats stats,
      Supplier<EventSink> sinkFactory,
      Supplier<AgentIdentity> identityFactory,
      Coverage coverage,
      BooleanSupplier sealed,
      BooleanSupplier heal,
      BooleanSupplier exiting) {
    this.coverage = coverage;
    this.exiting = exiting;
    this.sealed = sealed;
    this.heal = heal;
    this.recorder = recorder;
    this.stats = stats;
    this.sinkFactory = sinkFactory;
    this.identityFactory = identityFactory;
    this.flushMs = config.get(AgentKeys.FLUSH_INTERVAL);
    this.heartbeatMs = config.get(AgentKeys.HEARTBEAT_INTERVAL);
    this.jmx = config.jmx();
  }

  @Override
  public void run() {
    if (open()) {
      loop();
    }
  }

  /**
   * Builds identity and sink (the Kafka producer starts here, never on the application's threads).
   * False when nothing can leave this JVM: the hooks are then switched off, with one line saying
   * why.
   */
  public boolean open() {
    Gate.markAgentThread();
    try {
      identity = identityFactory.get();
      sink = sinkFactory.get();
    } catch (RuntimeException | LinkageError e) {
      stats.error();
      System.err.println(
          "[tripline] agent off: "
              + (e.getMessage() != null ? e.getMessage() : e.toString())
              + "; the application runs on without it");
      return false;
    }
    publishMeters();
    opened = true;
    return true;
  }

  /** This JVM's identity, once {@link #open} resolved it. */
  public @Nullable AgentIdentity identity() {
    return identity;
  }

  /** True once {@link #open} succeeded. */
  public boolean opened() {
    return opened;
  }

  /** True until {@link #stop}. */
  public boolean running() {
    return running;
  }

  /** Runs {@code task} on the pipeline thread about once a second (the watchdog's check). */
  public void everySecond(Runnable task) {
    this.everySecond = task;
  }

  /**
   * Sends until {@link #stop}, then a last flush, a goodbye heartbeat and the sink closed. Call
   * after {@link #open}; a thread that replaces a dead one (the watchdog's) calls it again. Neither
   * an interrupt nor an error ends it while the agent runs: each is counted (an interrupt is a
   * tamper finding) and the loop goes on.
   */
  public void loop() {
    Gate.markAgentThread();
    long nextFlush = System.currentTimeMillis() + flushMs;
    long nextHeartbeat = System.currentTimeMillis() + Math.min(FIRST_HEARTBEAT_MS, heartbeatMs);
    long nextSecond = System.currentTimeMillis() + 1_000;
    List<Occurrence> fresh = new ArrayList<>();
    while (running) {
      try {
        Occurrence first = recorder.fresh().poll(50, TimeUnit.MILLISECONDS);
        recorder.tick();
        if (first != null) {
          fresh.add(first);
          recorder.fresh().drainTo(fresh, MAX_EVENTS_PER_BATCH - 1);
          sendFirsts(fresh);
          fresh.clear();
          gather();
        }
        long asked = drainsAsked.get();
        if (asked != drainsDone) {
          sendQueued(); // a halt waits for everything queued
          flushRepeats();
          Objects.requireNonNull(sink, "open() first").flush();
          drainsDone = asked;
        }
        long now = System.currentTimeMillis();
        if (now >= nextFlush) {
          flushRepeats();
          nextFlush = now + flushMs;
        }
        if (now >= nextSecond) {
          everySecond.run();
          nextSecond = now + 1_000;
        }
        if (now >= nextHeartbeat || stats.tamper().count() != tamperReported) {
          heartbeat(false);
          nextHeartbeat = now + heartbeatMs;
        }
      } catch (InterruptedException e) {
        if (running) {
          stats.tamper().found("pipeline thread interrupted");
        }
      } catch (Throwable e) {
        fresh.clear();
        stats.error();
        if (running && errorsSaid++ < 3) {
          System.err.println("[tripline] pipeline error (going on): " + e);
        }
      }
    }
    try {
      sendQueued();
      flushRepeats();
      heartbeat(true);
    } catch (RuntimeException e) {
      stats.error();
    }
    Objects.requireNonNull(sink, "open() first").close();
  }

  /**
   * Sends every first sight queued. Naming one may hand over one more (its class's CODE_ORIGIN,
   * FirstSights.noOrigin, which hands over nothing itself): drained until nothing is left.
   */
  private void sendQueued() {
    List<Occurrence> last = new ArrayList<>();
    for (int pass = 0; pass < 3 && recorder.fresh().drainTo(last) > 0; pass++) {
      sendFirsts(last);
      last.clear();
    }
  }

  /**
   * For a halting thread (the JVM ends next, with no shutdown hook): the pipeline sends what is
   * queued now — first sights and folded repeats — and goes on; recording never stops, so nothing
   * done meanwhile on another thread goes unseen. Returns once sent, or false after {@code waitMs}.
   */
  public boolean drain(long waitMs) {
    long ticket = drainsAsked.incrementAndGet();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    while (drainsDone < ticket) {
      if (!running || System.nanoTime() - deadline >= 0) {
        return drainsDone >= ticket;
      }
      LockSupport.parkNanos(1_000_000L); // once, at the JVM's end: no hot path
    }
    return true;
  }

  /**
   * A heartbeat, after a canary (see {@code record.Canary}) and a look at the dispatcher. {@code
   * goodbye}: the JVM exits cleanly, silence after this one is expected.
   */
  private void heartbeat(boolean goodbye) {
    if (!goodbye && !exiting.getAsBoolean()) {
      if (!sealed.getAsBoolean()) {
        stats.tamper().found("the bridge's dispatcher is no longer the recorder");
      }
      if (coverage.canaryPossible()) {
        boolean ok = recorder.canary().probe();
        if (!ok && exiting.getAsBoolean()) {
          ok = true; // the JVM began to exit during the probe: the agent's own switch-off
        }
        stats.canary(ok);
        if (!ok) {
          stats.tamper().found("canary did not arrive at the recorder");
          if (heal.getAsBoolean()) {
            stats.tamper().found("the recorder had been switched off; switched on again");
          }
        }
      }
    }
    tamperReported = stats.tamper().count();
    send(List.of(), List.of(), true, goodbye);
  }

  private void publishMeters() {
    if (!jmx) {
      return;
    }
    try {
      AgentMBean.register(new AgentMeters(stats));
    } catch (Exception | LinkageError e) {
      stats.error(); // health still travels in heartbeats
    }
  }

  /** Stops the thread after a last flush (JVM shutdown). */
  public void stop(Thread thread, long waitMs) {
    running = false;
    try {
      thread.join(waitMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits up to {@link #GATHER_NS} while first sights gather in the queue; ends early once a full
   * batch waits, at {@link #stop}, or on an interrupt (the next poll then reports it).
   */
  private void gather() {
    long end = System.nanoTime() + GATHER_NS;
    do {
      LockSupport.parkNanos(GATHER_STEP_NS);
    } while (running
        && drainsAsked.get() == drainsDone
        && recorder.fresh().size() < MAX_EVENTS_PER_BATCH
        && System.nanoTime() - end < 0
        && !Thread.currentThread().isInterrupted());
  }

  private void sendFirsts(List<Occurrence> fresh) {
    List<Event> events = new ArrayList<>(fresh.size());
    for (Occurrence o : fresh) {
      events.add(o.template()); // a first sight is named here, on the pipeline thread
    }
    send(events, fresh, false, false);
  }

  private void flushRepeats() {
    List<Event> events = new ArrayList<>();
    List<Occurrence> sources = new ArrayList<>();
    for (Occurrence o : recorder.occurrences()) {
      Event e = o.drain();
      if (e != null) {
        events.add(e);
        sources.add(o);
        if (events.size() == MAX_EVENTS_PER_BATCH) {
          send(events, sources, false, false);
          events = new ArrayList<>();
          sources = new ArrayList<>();
        }
      }
    }
    if (!events.isEmpty()) {
      send(events, sources, false, false);
    }
  }

  /**
   * Sends events in batches of at most {@link #MAX_BATCH_BYTES} serialised: one event is bounded
   * (see {@code record.Caps}), but 500 of them need not fit in a Kafka record (1 MiB by default),
   * and a batch the broker refuses would come back with the next flush, forever.
   */
  private void send(
      List<Event> events, List<Occurrence> sources, boolean heartbeat, boolean goodbye) {
    int start = 0;
    long bytes = 0;
    for (int i = 0; i < events.size(); i++) {
      int size = events.get(i).getSerializedSize() + 8;
      if (i > start && bytes + size > MAX_BATCH_BYTES) {
        sendBatch(events.subList(start, i), sources.subList(start, i), false, false);
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    sendBatch(
        events.subList(start, events.size()),
        sources.subList(start, sources.size()),
        heartbeat,
        goodbye);
  }

  private void sendBatch(
      List<Event> events, List<Occurrence> sources, boolean heartbeat, boolean goodbye) {
    EventBatch.Builder b =
        EventBatch.newBuilder()
            .setSchemaVersion(Schema.VERSION)
            .setAgent(Objects.requireNonNull(identity, "open() first"))
            .setSequence(++sequence)
            .setSentTimeMs(System.currentTimeMillis())
            .addAllEvents(events);
    if (heartbeat) {
      b.setHealth(coverage.addTo(stats.snapshot()).toBuilder().setGoodbye(goodbye));
    }
    EventBatch batch = b.build();
    Objects.requireNonNull(sink, "open() first")
        .publish(
            batch,
            lost -> {
              stats.batchFailed();
              for (int i = 0; i < sources.size(); i++) {
                sources
                    .get(i)
                    .undelivered(
                        lost.getEvents(i)); // counts survive an outage, within the cache's bound
              }
            });
  }
}
