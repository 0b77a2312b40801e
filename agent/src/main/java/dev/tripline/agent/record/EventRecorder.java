package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.RequestContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * The repeat/fresh decision, on the application thread. A repeat (same kind, target and outcome) is
 * found in a Caffeine cache ({@link OccurrenceCaches}) keyed by the object the hook already holds
 * (the path String, the peer InetAddress + port…) and costs an increment. Only something new pays
 * for the description ({@link EventDescriber}), the walk of its stack and a slot in the bounded
 * hand-off queue; the pipeline thread names its call site and builds its event ({@link
 * FirstSights}) and sends it at once. What each hook reports reaches it through {@link
 * ObservationIntake}.
 */
@NullMarked
public final class EventRecorder {
  private final AgentStats stats;
  private final Caps caps;
  private final ContextFrames contextFrames;
  private final HandoffSites handoffs;
  private final EventDescriber describer;
  private final FirstSights firstSights;
  private final Replay replay = new Replay();
  private final ObservationIntake intake;
  private final Canary canary = new Canary();
  private final EntryCandidates candidates;
  private final RequestContexts requests;

  /** Targets and peers seen, by kind and outcome: the repeats' lookups. */
  private final OccurrenceCaches caches;

  private final BlockingQueue<Occurrence> fresh;

  /** Wall-clock milliseconds: read for something new, and by {@link #tick} for repeats. */
  private final LongSupplier clock;

  /**
   * Wall-clock time, refreshed by the pipeline thread every 50 ms: repeats read it instead of the
   * clock.
   */
  private volatile long clockMs;

  public EventRecorder(AgentConfig config, AgentStats stats, LongSupplier clock) {
    this.stats = stats;
    this.clock = clock;
    this.clockMs = clock.getAsLong();
    FileTargets files = new FileTargets(System.getProperty("user.dir"));
    List<String> sensitive = new ArrayList<>();
    for (String p : config.get(AgentKeys.SENSITIVE_PATHS)) {
      if (!p.trim().isEmpty()) sensitive.add(files.normalise(p.trim()));
    }
    SameFiles sameFiles = new SameFiles(System.getProperty("user.home", ""), sensitive);
    this.caps = new Caps(stats);
    this.contextFrames = new ContextFrames(config.get(AgentKeys.CONTEXT_FRAMES));
    if (!contextFrames.rejected().isEmpty()) {
      System.err.println(
          "[tripline] context.frames: ignoring "
              + contextFrames.rejected()
              + " (expected category=prefix)");
    }
    this.fresh = new ArrayBlockingQueue<>(config.get(AgentKeys.QUEUE_CAPACITY));
    int cacheSize = config.get(AgentKeys.CACHE_SIZE);
    this.caches = new OccurrenceCaches(stats, cacheSize);
    this.requests = new RequestContexts(stats);
    this.handoffs = new HandoffSites(caps, Math.min(cacheSize, 4096), requests);
    this.describer = new EventDescriber(files, new Filters(config), caps, sameFiles);
    this.candidates =
        new EntryCandidates(this, describer, caps, contextFrames, handoffs, this.clock);
    this.firstSights = new FirstSights(this, stats, caps, contextFrames, handoffs, requests);
    this.intake = new ObservationIntake(this, files, handoffs, canary, requests);
    stats.queueDepth(() -> fresh.size());
  }

  /** What the hook groups report, typed (the dispatcher's target). */
  public Observations observations() {
    return intake;
  }

  /** Protect mode's candidate events for guarded calls at their entry. */
  public EntryCandidates candidates() {
    return candidates;
  }

  /** What runs before the JVM halts (the agent's bounded last send); nothing until set. */
  private volatile Runnable beforeHalt = () -> {};

  /** Sets what runs, on the halting thread, before the JVM halts ({@link #halting}). */
  public void beforeHalt(Runnable task) {
    this.beforeHalt = task;
  }

  /** The JVM is about to halt: see {@link Observations#halting}. */
  void halting() {
    beforeHalt.run();
  }

  /** The canary the pipeline performs before every heartbeat. */
  public Canary canary() {
    return canary;
  }

  /**
   * Replays, on the pipeline thread, what the hooks saw before this recorder existed: {@code
   * dispatch} records each as if live, with its own thread, stack and time.
   */
  public void replay(
      List<EarlyBuffer.Observation> early, Consumer<EarlyBuffer.Observation> dispatch) {
    try {
      replay.run(
          early,
          o -> {
            // a replayed repeat is counted at its own time, not when the recorder was built (a
            // live repeat meanwhile reads a time up to the start-up's length old: the lesser error)
            clockMs = o.timeMs;
            dispatch.accept(o);
          },
          stats);
    } finally {
      clockMs = clock.getAsLong();
    }
  }

  /** The early observation being replayed on this thread, or null when recording live. */
  EarlyBuffer.@Nullable Observation replaying() {
    return replay.current();
  }

  Cache<Object, Occurrence> targets(EventKind kind, @Nullable Throwable error) {
    return caches.targets(kind, error);
  }

  /** A target kept under {@code key}: counted when known, else described and handed over. */
  void single(
      EventKind kind,
      Object key,
      Object target,
      @Nullable Object extra,
      @Nullable Throwable error) {
    Cache<Object, Occurrence> cache = targets(kind, error);
    if (!counted(cache.getIfPresent(key))) {
      fresh(cache, kind, key, target, extra, 0, error);
    }
  }

  /**
   * True when {@code seen} is a known target: its repeat is counted (or it is ignored), nothing
   * more to do.
   */
  boolean counted(@Nullable Occurrence seen) {
    if (seen != null && seen != Occurrence.IGNORED) {
      // a repeat needs no better than the pipeline's tick; something new reads the clock itself
      repeat(seen);
    }
    return seen != null;
  }

  /**
   * A target not in {@code cache}: described, completed and handed over, or remembered as ignored.
   * Returns the new occurrence when this call reported it, else null.
   */
  @Nullable Occurrence fresh(
      Cache<Object, Occurrence> cache,
      EventKind kind,
      Object key,
      Object target,
      @Nullable Object extra,
      int port,
      @Nullable Throwable error) {
    Event.Builder event = describer.describe(kind, target, extra, port);
    if (event == null) {
      cache.put(key, Occurrence.IGNORED);
      return null;
    }
    Occurrence fresh = firstSight(new FirstSight.Target(event.build()), error);
    Occurrence winner = cache.asMap().putIfAbsent(key, fresh);
    if (winner == null) {
      FileShapes.registerFirst(cache, kind, event, fresh);
      handOver(fresh);
      return fresh;
    }
    fresh.template(); // lost the race: completed here, so that its draft holds no frames
    if (winner != Occurrence.IGNORED) {
      winner.hit(clockMs);
    }
    return null;
  }

  /** A peer kept by address, then port: the same InetAddress object costs no allocation. */
  void byPort(EventKind kind, @Nullable InetAddress address, int port, @Nullable Throwable error) {
    if (address == null) {
      return;
    }
    PeerTable peers = caches.peers(kind, error);
    PortTable ports = peers.get(address);
    Occurrence seen = ports == null ? null : ports.get(port);
    if (seen != null) {
      if (kind != EventKind.NET_CONNECT || seen.peer == address || sameHost(seen, address)) {
        repeat(seen); // the repeat path: the same InetAddress object costs no allocation
      } else {
        otherName(kind, address, port, error); // a CDN's or a shared address's other name
      }
      return;
    }
    Occurrence fresh = firstPeer(kind, address, port, error);
    if (fresh == null) {
      return; // excluded host: cheap enough to re-check, and rare
    }
    fresh.peer = address;
    Occurrence winner;
    if (ports == null) {
      PortTable mine = new PortTable(port, fresh);
      PortTable there = peers.putIfAbsent(address, mine);
      winner = there == mine ? fresh : there.putIfAbsent(port, fresh);
    } else {
      winner = ports.putIfAbsent(port, fresh);
    }
    if (winner == fresh) {
      handOver(fresh);
    } else {
      fresh.template(); // lost the race: completed here, so that its draft holds no frames
      winner.hit(clockMs);
    }
  }

  /**
   * A new peer's occurrence, or null when the filters exclude it. With no host excluded nothing can
   * filter a peer out, so only the address as given is read here ({@code toString}: the host name
   * the application used, which a later {@code getHostName()} could change) and its description is
   * left to the pipeline thread, with the naming ({@link EventDescriber#peer}).
   */
  private @Nullable Occurrence firstPeer(
      EventKind kind, InetAddress address, int port, @Nullable Throwable error) {
    if (!describer.filtersHosts()) {
      return firstSight(describer.later(kind, address.toString(), port), error);
    }
    Event.Builder event = describer.describe(kind, address, null, port);
    return event == null ? null : firstSight(new FirstSight.Target(event.build()), error);
  }

  /**
   * A repeat: one increment; on a sampled one, a look at the call site (see {@link
   * Occurrence#sampled}) — the short walk that stops at it. Only a call site not seen before pays
   * for the walk of the whole stack that finds its context frames.
   */
  void repeat(Occurrence known) {
    long now = clockMs;
    if (Occurrence.sampled(known.hit(now)) && replaying() == null) {
      CallSite site = handoffs.orSubmitter(caps.callSite(CallSites.site()), known.target());
      Occurrence other =
          known.otherSite(
              site,
              () -> caps.contexts(CallSites.capture(contextFrames).contexts),
              () -> requestOf(site, known.target()),
              now);
      if (other != null) {
        handOver(other);
      }
    }
  }

  /**
   * The request this thread serves, or else the one whose code handed the work over (the hand-off
   * submitter's); null when neither.
   */
  private @Nullable RequestContext requestOf(CallSite site, Event target) {
    RequestContext here = requests.current();
    return here != null ? here : handoffs.submitterRequest(site, target);
  }

  /**
   * Whether {@code address} carries the host name {@code seen} was reported with (an InetAddress
   * equals another of the same IP whatever its name). Only for another InetAddress object than the
   * one last matched, which is remembered: a connect loop reusing its address costs nothing here.
   */
  private static boolean sameHost(Occurrence seen, InetAddress address) {
    String host = Filters.hostAsGiven(address);
    String known = seen.target().getNetwork().getHost();
    boolean same =
        host == null
            ? known.isEmpty()
            : known.equals(host) || (!Caps.fits(host) && host.startsWith(known));
    if (same) {
      seen.peer = address;
    }
    return same;
  }

  /**
   * A connect to a known IP and port under another host name than the first: its own occurrence,
   * keyed by name, IP and port.
   */
  private void otherName(EventKind kind, InetAddress address, int port, @Nullable Throwable error) {
    String host = Filters.hostAsGiven(address);
    String name = host == null ? "" : host.substring(0, Math.min(host.length(), Caps.MAX_CHARS));
    String key = "\u0001" + name + '/' + address.getHostAddress() + ':' + port;
    Cache<Object, Occurrence> cache = targets(kind, error);
    if (!counted(cache.getIfPresent(key))) {
      fresh(cache, kind, key, address, null, port, error);
    }
  }

  /**
   * Offers a new occurrence to the pipeline thread. When the queue is full it is completed here (a
   * draft holds its stack's frames: memory stays bounded) and goes out with the next flush, counted
   * as deferred.
   */
  void handOver(Occurrence occurrence) {
    if (!fresh.offer(occurrence)) {
      occurrence.template();
      occurrence.firstUndelivered = true;
      stats.deferred();
    }
  }

  /**
   * A new occurrence of the described target: the current thread's, or for a replayed early
   * observation the one it was seen on. Named on the pipeline thread ({@link FirstSights}).
   */
  private Occurrence firstSight(FirstSight.Target described, @Nullable Throwable error) {
    EarlyBuffer.Observation early = replaying();
    return firstSights.first(
        described, error, early, early != null ? early.timeMs : clock.getAsLong());
  }

  // ---- the pipeline thread's side ----

  /**
   * Called by the pipeline thread on every turn of its loop: the repeats' clock, and the caches'
   * upkeep.
   */
  public void tick() {
    clockMs = clock.getAsLong();
    caches.upkeep();
  }

  /** New occurrences waiting for the pipeline thread. */
  public BlockingQueue<Occurrence> fresh() {
    return fresh;
  }

  /** Every known occurrence, for the periodic flush of repeats. */
  public List<Occurrence> occurrences() {
    return caches.all();
  }

  /** Frames held by first sights the pipeline thread has not named yet: for tests. */
  int draftFrames() {
    return firstSights.draftFrames();
  }

  /** Peers held for {@code kind} (successful operations): for tests. */
  int peerCount(EventKind kind) {
    return caches.peers(kind, null).size();
  }

  /** Runs the caches' pending upkeep (evictions) now: for tests. */
  void cleanUp() {
    caches.cleanUp();
  }
}
