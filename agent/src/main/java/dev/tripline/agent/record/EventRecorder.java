package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.RemovalListener;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.CodeLocations;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * The repeat/fresh decision, on the application thread. A repeat (same kind, target and outcome) is
 * found in a Caffeine cache keyed by the object the hook already holds (the path String, the peer
 * InetAddress + port…) and costs an increment. Only something new pays for the description ({@link
 * EventDescriber}), the stack walk and a slot in the hand-off queue to the pipeline thread, which
 * sends it at once. What each hook reports reaches it through {@link ObservationIntake}.
 */
@NullMarked
public final class EventRecorder {
  private static final int SLOTS = maxKindNumber() + 1;

  private final AgentStats stats;
  private final Caps caps;
  private final ContextFrames contextFrames;
  private final HandoffSites handoffs;
  private final EventDescriber describer;
  private final ObservationIntake intake;
  private final Canary canary = new Canary();

  /**
   * Targets seen, by kind and outcome: one key per target (a path, a command line…). Built on first
   * use.
   */
  private final AtomicReferenceArray<Cache<Object, Occurrence>> targets;

  /** Peers seen, by kind and outcome: the InetAddress, then its ports. Built on first use. */
  private final AtomicReferenceArray<Cache<InetAddress, PortTable>> peers;

  private final int cacheSize;
  private final BlockingQueue<Occurrence> fresh;

  /** Wall-clock milliseconds: read for something new, and by {@link #tick} for repeats. */
  private final LongSupplier clock;

  /**
   * Wall-clock time, refreshed by the pipeline thread every 50 ms: repeats read it instead of the
   * clock.
   */
  private volatile long clockMs;

  /** Set while the pipeline thread replays what the hooks saw before the recorder existed. */
  private volatile @Nullable Thread replayer;

  private EarlyBuffer.@Nullable Observation replaying;

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
    this.cacheSize = config.get(AgentKeys.CACHE_SIZE);
    this.targets = new AtomicReferenceArray<>(SLOTS * 2);
    this.peers = new AtomicReferenceArray<>(SLOTS * 2);
    this.handoffs = new HandoffSites(caps, Math.min(cacheSize, 4096));
    this.describer = new EventDescriber(files, new Filters(config), caps, sameFiles);
    this.intake = new ObservationIntake(this, files, handoffs, canary);
    stats.queueDepth(() -> fresh.size());
  }

  private static int maxKindNumber() {
    int max = 0;
    for (EventKind k : EventKind.values()) {
      if (k != EventKind.UNRECOGNIZED) max = Math.max(max, k.getNumber());
    }
    return max;
  }

  /** What the hook groups report, typed (the dispatcher's target). */
  public Observations observations() {
    return intake;
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
    replayer = Thread.currentThread();
    try {
      for (EarlyBuffer.Observation o : early) {
        replaying = o;
        try {
          dispatch.accept(o);
        } catch (RuntimeException | LinkageError e) {
          stats.error();
        }
      }
    } finally {
      replaying = null;
      replayer = null;
    }
  }

  /** The early observation being replayed on this thread, or null when recording live. */
  EarlyBuffer.@Nullable Observation replaying() {
    return replayer == Thread.currentThread() ? replaying : null;
  }

  private static int slot(EventKind kind, @Nullable Throwable error) {
    return kind.getNumber() * 2 + (error == null ? 0 : 1);
  }

  Cache<Object, Occurrence> targets(EventKind kind, @Nullable Throwable error) {
    return lazy(
        targets,
        slot(kind, error),
        (@Nullable Object k, @Nullable Occurrence v, RemovalCause cause) -> {
          if (!FileShapes.isShapeKey(k))
            lostOnEviction(v, cause); // a shape's occurrence is also under its path
        });
  }

  private Cache<InetAddress, PortTable> peers(EventKind kind, @Nullable Throwable error) {
    return lazy(
        peers,
        slot(kind, error),
        (@Nullable InetAddress k, @Nullable PortTable v, RemovalCause cause) -> {
          if (v != null) {
            for (Occurrence o : v.all()) lostOnEviction(o, cause);
          }
        });
  }

  /**
   * The cache in slot {@code i}, built on first use (most kinds never occur in a given
   * application).
   */
  private <K, V> Cache<K, V> lazy(
      AtomicReferenceArray<Cache<K, V>> caches, int i, RemovalListener<K, V> onRemoval) {
    Cache<K, V> c = caches.get(i);
    if (c == null) {
      caches.compareAndSet(
          i,
          null,
          Caffeine.newBuilder()
              .maximumSize(cacheSize)
              .executor(Runnable::run)
              .removalListener(onRemoval)
              .build());
      c = caches.get(i);
    }
    return c;
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
    Occurrence fresh = complete(event, error);
    Occurrence winner = cache.asMap().putIfAbsent(key, fresh);
    if (winner == null) {
      FileShapes.registerFirst(cache, kind, event, fresh);
      handOver(fresh);
      return fresh;
    } else if (winner != Occurrence.IGNORED) {
      winner.hit(clockMs);
    }
    return null;
  }

  /** A peer kept by address, then port: the same InetAddress object costs no allocation. */
  void byPort(EventKind kind, @Nullable InetAddress address, int port, @Nullable Throwable error) {
    if (address == null) {
      return;
    }
    Cache<InetAddress, PortTable> cache = peers(kind, error);
    PortTable ports = cache.getIfPresent(address);
    if (ports == null) {
      ports = cache.asMap().computeIfAbsent(address, a -> new PortTable());
    }
    Occurrence seen = ports.get(port);
    if (seen != null) {
      if (kind != EventKind.NET_CONNECT || seen.peer == address || sameHost(seen, address)) {
        repeat(seen); // the repeat path: the same InetAddress object costs no allocation
      } else {
        otherName(kind, address, port, error); // a CDN's or a shared address's other name
      }
      return;
    }
    Event.Builder event = describer.describe(kind, address, null, port);
    if (event == null) {
      return; // excluded host: cheap enough to re-check, and rare
    }
    Occurrence fresh = complete(event, error);
    fresh.peer = address;
    Occurrence winner = ports.putIfAbsent(port, fresh);
    if (winner == fresh) {
      handOver(fresh);
    } else {
      winner.hit(clockMs);
    }
  }

  /**
   * A repeat: one increment; on a sampled one, a look at the call site (see {@link
   * Occurrence#sampled}) — the short walk that stops at it. Only a call site not seen before pays
   * for the walk of the whole stack that finds its context frames.
   */
  void repeat(Occurrence known) {
    long now = clockMs;
    if (Occurrence.sampled(known.hit(now)) && replaying() == null) {
      CallSite site = handoffs.orSubmitter(caps.callSite(CallSites.site()), known.template);
      Occurrence other =
          known.otherSite(
              site, () -> caps.contexts(CallSites.capture(contextFrames).contexts), now);
      if (other != null) {
        handOver(other);
      }
    }
  }

  /**
   * Whether {@code address} carries the host name {@code seen} was reported with (an InetAddress
   * equals another of the same IP whatever its name). Only for another InetAddress object than the
   * one last matched, which is remembered: a connect loop reusing its address costs nothing here.
   */
  private static boolean sameHost(Occurrence seen, InetAddress address) {
    String host = Filters.hostAsGiven(address);
    String known = seen.template.getNetwork().getHost();
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
   * Offers a new occurrence to the pipeline thread; when the queue is full it goes out with the
   * next flush.
   */
  private void handOver(Occurrence occurrence) {
    if (!fresh.offer(occurrence)) {
      occurrence.firstUndelivered = true;
      stats.deferred();
    }
  }

  /**
   * The new occurrence: the described target with its call site, context frames, thread and time —
   * the current thread's, or for a replayed early observation the one it was seen on.
   */
  private Occurrence complete(Event.Builder e, @Nullable Throwable error) {
    EarlyBuffer.Observation early = replaying();
    Thread t = early != null ? early.thread : Thread.currentThread();
    long now = early != null ? early.timeMs : clock.getAsLong();
    CallSites.Captured stack =
        early != null
            ? CallSites.capture(early.frames, contextFrames)
            : CallSites.capture(contextFrames);
    CallSite site = handoffs.orSubmitter(caps.callSite(stack.site), e);
    if (stack.noOrigin != null && early == null && e.getKind() != EventKind.CODE_ORIGIN) {
      noOrigin(stack.noOrigin, site, now);
    }
    e.setCallSite(site)
        .addAllContexts(caps.contexts(stack.contexts))
        .setSuccess(error == null)
        .setCount(1)
        .setFirstSeenMs(now)
        .setLastSeenMs(now)
        .setFirstOccurrence(true)
        .setThreadName(caps.cap(t.getName()))
        .setVirtualThread(CallSites.isVirtual(t));
    if (error != null) {
      e.setError(caps.cap(error.getClass().getName()));
    }
    return new Occurrence(e.build(), now);
  }

  /**
   * A class with no origin on disk did I/O (it is the call site of a new event): one CODE_ORIGIN
   * event per class, keyed apart from jar paths.
   */
  private void noOrigin(Class<?> type, CallSite site, long now) {
    if (type == null) {
      return;
    }
    String key = "\u0000class " + type.getName();
    Cache<Object, Occurrence> cache = targets(EventKind.CODE_ORIGIN, null);
    if (cache.getIfPresent(key) != null) {
      return;
    }
    Event.Builder e =
        Event.newBuilder()
            .setKind(EventKind.CODE_ORIGIN)
            .setCode(
                CodeTarget.newBuilder()
                    .setOrigin(site.getOrigin())
                    .setClassName(caps.cap(type.getName()))
                    .setDefinedBy(caps.cap(CodeLocations.definedBy(type)))
                    .setLoader(caps.cap(CodeLocations.loaderName(type.getClassLoader()))))
            .setCallSite(site)
            .setSuccess(true)
            .setCount(1)
            .setFirstSeenMs(now)
            .setLastSeenMs(now)
            .setFirstOccurrence(true)
            .setThreadName(caps.cap(Thread.currentThread().getName()));
    Occurrence o = new Occurrence(e.build(), now);
    if (cache.asMap().putIfAbsent(key, o) == null) {
      handOver(o);
    }
  }

  private void lostOnEviction(@Nullable Occurrence o, RemovalCause cause) {
    if (cause.wasEvicted() && o != null && o != Occurrence.IGNORED) {
      o.evicted = true;
      long lost = o.pending.get() + (o.firstUndelivered ? 1 : 0);
      if (lost > 0) {
        stats.dropped(AgentStats.CACHE_FULL, lost);
      }
    }
  }

  // ---- the pipeline thread's side ----

  /** Called by the pipeline thread on every turn of its loop. */
  public void tick() {
    clockMs = clock.getAsLong();
  }

  /** New occurrences waiting for the pipeline thread. */
  public BlockingQueue<Occurrence> fresh() {
    return fresh;
  }

  /** Every known occurrence, for the periodic flush of repeats. */
  public List<Occurrence> occurrences() {
    List<Occurrence> all = new ArrayList<>();
    for (int i = 0; i < targets.length(); i++) {
      Cache<Object, Occurrence> cache = targets.get(i);
      if (cache == null) continue;
      for (Map.Entry<Object, Occurrence> e : cache.asMap().entrySet()) {
        if (e.getValue() != Occurrence.IGNORED && !FileShapes.isShapeKey(e.getKey()))
          addWithOtherSites(all, e.getValue());
      }
    }
    for (int i = 0; i < peers.length(); i++) {
      Cache<InetAddress, PortTable> cache = peers.get(i);
      if (cache == null) continue;
      for (PortTable ports : cache.asMap().values()) {
        for (Occurrence o : ports.all()) addWithOtherSites(all, o);
      }
    }
    return all;
  }

  private static void addWithOtherSites(List<Occurrence> all, Occurrence o) {
    all.add(o);
    for (Occurrence other : o.otherSites()) {
      all.add(other); // a lost first send is retried with the flush
    }
  }

  /** Runs the caches' pending maintenance (evictions) now: for tests. */
  void cleanUp() {
    for (int i = 0; i < targets.length(); i++) {
      Cache<Object, Occurrence> c = targets.get(i);
      if (c != null) c.cleanUp();
    }
    for (int i = 0; i < peers.length(); i++) {
      Cache<InetAddress, PortTable> c = peers.get(i);
      if (c != null) c.cleanUp();
    }
  }
}
