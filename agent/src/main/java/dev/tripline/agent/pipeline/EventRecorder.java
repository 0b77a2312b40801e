package dev.tripline.agent.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.CodeLocations;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.instrument.Gate;
import dev.tripline.agent.instrument.Hooks;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.bootstrap.TriplineDispatcher;
import dev.tripline.config.redact.Redactor;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where an observation from a hook becomes an event. Runs on the application thread.
 *
 * <p>A repeat (same kind, target and outcome) is found in a Caffeine cache keyed by the object the
 * hook already holds (the path String, the peer InetAddress + port…) and costs an increment. Only
 * something new pays for the stack walk, the protobuf and a slot in the hand-off queue to the
 * pipeline thread, which sends it at once.
 */
public final class EventRecorder implements TriplineDispatcher, Observations {
  private static final String AGENT_KAFKA_THREAD = "kafka-producer-network-thread | tripline";
  private static final int SLOTS = maxKindNumber() + 1;

  private final Hooks hooks;
  private final AgentStats stats;
  private final Filters filters;
  private final Caps caps;
  private final ContextFrames contextFrames;
  private final FileTargets files = new FileTargets(System.getProperty("user.dir"));
  private final HandoffSites handoffs;
  private final PendingConnects pending = new PendingConnects();
  private final CodeOrigins codeOrigins = new CodeOrigins();
  private final Executables executables = new Executables();
  private final SameFiles sameFiles;
  private final SwapWatch swaps = new SwapWatch();

  /**
   * Targets seen, by kind and outcome: one key per target (a path, a command line…). Built on first
   * use.
   */
  private final AtomicReferenceArray<Cache<Object, Occurrence>> targets;

  /** Peers seen, by kind and outcome: the InetAddress, then its ports. Built on first use. */
  private final AtomicReferenceArray<Cache<InetAddress, PortTable>> peers;

  private final int cacheSize;
  private final BlockingQueue<Occurrence> fresh;

  /**
   * Wall-clock time, refreshed by the pipeline thread every 50 ms: repeats read it instead of the
   * clock.
   */
  private volatile long clockMs = System.currentTimeMillis();

  /** Set while the pipeline thread replays what the hooks saw before the recorder existed. */
  private volatile Thread replayer;

  private EarlyBuffer.Observation replaying;

  /** Set when the agent switches itself off (no sink, JVM exit): nothing is recorded any more. */
  private volatile boolean off;

  private final Canary canary = new Canary();

  public EventRecorder(AgentConfig config, AgentStats stats, Hooks hooks) {
    this.hooks = hooks;
    this.stats = stats;
    this.filters = new Filters(config);
    List<String> sensitive = new ArrayList<>();
    for (String p : config.get("sensitive.paths").split(",", -1)) {
      if (!p.trim().isEmpty()) sensitive.add(files.normalise(p.trim()));
    }
    this.sameFiles = new SameFiles(System.getProperty("user.home", ""), sensitive);
    this.caps = new Caps(stats);
    this.contextFrames = new ContextFrames(config.get("context.frames"));
    if (!contextFrames.rejected().isEmpty()) {
      System.err.println(
          "[tripline] context.frames: ignoring "
              + contextFrames.rejected()
              + " (expected category=prefix)");
    }
    this.fresh = new ArrayBlockingQueue<>(config.integer("queue.capacity"));
    this.cacheSize = config.integer("cache.size");
    this.targets = new AtomicReferenceArray<>(SLOTS * 2);
    this.peers = new AtomicReferenceArray<>(SLOTS * 2);
    this.handoffs = new HandoffSites(caps, Math.min(cacheSize, 4096));
    stats.queueDepth(() -> fresh.size());
  }

  private static int maxKindNumber() {
    int max = 0;
    for (EventKind k : EventKind.values()) {
      if (k != EventKind.UNRECOGNIZED) max = Math.max(max, k.getNumber());
    }
    return max;
  }

  private int slot(EventKind kind, Throwable error) {
    return kind.getNumber() * 2 + (error == null ? 0 : 1);
  }

  private Cache<Object, Occurrence> targets(EventKind kind, Throwable error) {
    return lazy(
        targets,
        slot(kind, error),
        (Object k, Occurrence v, RemovalCause cause) -> {
          if (!(k instanceof Shape))
            lostOnEviction(v, cause); // a shape's occurrence is also under its path
        });
  }

  private Cache<InetAddress, PortTable> peers(EventKind kind, Throwable error) {
    return lazy(
        peers,
        slot(kind, error),
        (InetAddress k, PortTable v, RemovalCause cause) -> {
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
      AtomicReferenceArray<Cache<K, V>> caches,
      int i,
      com.github.benmanes.caffeine.cache.RemovalListener<K, V> onRemoval) {
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

  @Override
  public void observe(int hook, Object a, Object b, int n, Throwable error) {
    if (hook == TriplineBridge.TAMPER) {
      stats
          .tamper()
          .found("refused " + a + " from " + b + " on thread " + Thread.currentThread().getName());
      return;
    }
    if (off) {
      return;
    }
    record(hook, a, b, n, error);
  }

  private void record(int hook, Object a, Object b, int n, Throwable error) {
    stats.seen();
    hooks.observe(hook, a, b, n, error, this);
  }

  /** From now on nothing is recorded (the agent is off, or the JVM exits). */
  public void switchOff() {
    off = true;
  }

  /**
   * Called by the running pipeline after a failed canary: the agent never switches its recorder off
   * while it runs, so an "off" found now was set by someone else. Returns whether it was.
   */
  boolean heal() {
    boolean wasOff = off;
    off = false;
    return wasOff;
  }

  /** The canary the pipeline performs before every heartbeat. */
  public Canary canary() {
    return canary;
  }

  /**
   * Replays, on the pipeline thread, what the hooks saw before this recorder existed: each as if
   * recorded live, with its own thread, stack and time.
   */
  public void replay(List<EarlyBuffer.Observation> early) {
    replayer = Thread.currentThread();
    try {
      for (EarlyBuffer.Observation o : early) {
        replaying = o;
        try {
          // recorded even once the JVM exits (switched off): it happened while the agent watched
          if (o.hook == TriplineBridge.TAMPER) {
            observe(o.hook, o.a, o.b, o.n, o.error);
          } else {
            for (int r = o.repeats(); r >= 0; r--) { // repeats the buffer folded: as many hits
              record(o.hook, o.a, o.b, o.n, o.error);
            }
          }
        } catch (RuntimeException | LinkageError e) {
          stats.error();
        }
      }
    } finally {
      replaying = null;
      replayer = null;
    }
  }

  private EarlyBuffer.Observation replaying() {
    return replayer == Thread.currentThread() ? replaying : null;
  }

  // ---- Observations: what each hook group reports, typed ----

  @Override
  public void connect(InetAddress remote, int port, Throwable error) {
    if (agentsOwnKafkaClient()) {
      return;
    }
    byPort(EventKind.NET_CONNECT, remote, port, error);
  }

  @Override
  public void connectChannel(Object channel, Object remote, boolean connected, Throwable error) {
    if (error == null && !connected && channel != null && pending.put(channel, remote)) {
      return; // non-blocking, in progress: finishConnect reports the outcome
    }
    connectTo(remote, error); // done (or no room to wait: reported as the attempt)
  }

  @Override
  public void finishConnect(Object channel, boolean connected, Throwable error) {
    if (error == null && !connected) {
      return; // still in progress
    }
    Object remote = pending.take(channel);
    if (remote != null) {
      connectTo(remote, error);
    } // else: already reported at connect (connected at once, or no room to wait)
  }

  private void connectTo(Object remote, Throwable error) {
    if (remote instanceof InetSocketAddress) {
      InetSocketAddress isa = (InetSocketAddress) remote;
      if (isa.getAddress() != null) { // unresolved: the failed lookup is the DNS event
        connect(isa.getAddress(), isa.getPort(), error);
      }
    } else if (remote != null) {
      unix(EventKind.NET_CONNECT, remote, error); // a Unix domain socket address
    }
  }

  @Override
  public void datagram(Object target, Throwable error) {
    if (target instanceof InetSocketAddress) {
      single(EventKind.DATAGRAM, target, target, null, error);
    }
  }

  @Override
  public void listen(Object server, Object requested, Throwable error) {
    SocketAddress local = listenAddress(server, requested);
    if (local instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) local;
      byPort(EventKind.NET_LISTEN, inet.getAddress(), inet.getPort(), error);
    } else {
      unixPath(EventKind.NET_LISTEN, UnixSockets.path(local), error);
    }
  }

  @Override
  public void accept(InetAddress remote, int localPort) {
    byPort(EventKind.NET_ACCEPT, remote, localPort, null);
  }

  @Override
  public void acceptSocket(Socket socket) {
    java.net.SocketImpl impl = BoundAddresses.impl(socket);
    InetAddress peer = impl == null ? null : BoundAddresses.peer(impl);
    if (impl != null && peer != null) {
      accept(peer, BoundAddresses.localPort(impl)); // the JDK's impl: no override can lie here
    } else {
      accept(socket.getInetAddress(), socket.getLocalPort());
    }
  }

  @Override
  public void acceptChannel(Object channel) {
    if (!(channel instanceof SocketChannel)) {
      return;
    }
    InetSocketAddress[] peer = channelPeer((SocketChannel) channel);
    if (peer != null) {
      byPort(EventKind.NET_ACCEPT, peer[0].getAddress(), peer[1].getPort(), null);
    } else {
      unixPath(EventKind.NET_ACCEPT, localUnixPath((SocketChannel) channel), null);
    }
  }

  @Override
  public void dns(String host, Object[] addresses, Throwable error) {
    if (host != null && !agentsOwnKafkaClient()) {
      single(EventKind.DNS_LOOKUP, key(EventKind.DNS_LOOKUP, host), host, addresses, error);
    }
  }

  @Override
  public void reverseDns(InetAddress address, String name, Throwable error) {
    if (address != null && !agentsOwnKafkaClient()) {
      // keyed by the address itself (no allocation on a repeat); apart from names, which are
      // Strings
      single(EventKind.DNS_LOOKUP, address, address, name, error);
    }
  }

  @Override
  public void jndiDns(Object name) {
    if (name != null && !agentsOwnKafkaClient()) {
      String host = DnsQueries.jndiName(name);
      if (host != null) { // apart from InetAddress lookups of the same name: the context differs
        single(EventKind.DNS_LOOKUP, DnsQueries.jndiKey(host), host, null, null);
      }
    }
  }

  @Override
  public void file(EventKind kind, String path, Throwable error) {
    if (path == null) {
      return;
    }
    Object key = key(kind, path);
    Cache<Object, Occurrence> cache = targets(kind, error);
    Occurrence seen = cache.getIfPresent(key);
    if (seen != null && seen.watch != null && SwapWatch.swapped(seen.watch)) {
      seen = swappedAway(cache, key, seen); // the path opens another file now: judged anew
    }
    if (counted(seen)) {
      return; // a repeat: the one cache lookup of the hot path
    }
    if (canary.arrived(path)) {
      return; // never cached, so it costs nothing on the repeat path above
    }
    if (kind == EventKind.FILE_READ
        && (path.startsWith("/sys/fs/cgroup/") || path.startsWith("/proc/"))
        && (replaying() == null
            ? CallSites.isJdkContainerSupport()
            : CallSites.isJdkContainerSupport(replaying().frames))) {
      // the JVM reading its own limits: not cached, so the same file read by other code is still
      // seen
      return;
    }
    // What was opened, by device and inode (one stat, first sight only): a file with more than one
    // link may be a sensitive file under any name, so no name or location filter drops it.
    String kernelPath = kind == EventKind.FILE_DELETE ? null : files.kernelPath(path);
    SameFiles.Inode opened = error == null ? SameFiles.of(kernelPath) : null;
    boolean linked = opened != null && opened.links > 1;
    if (kind == EventKind.FILE_READ && CodeOrigins.isJar(path) && !linked) {
      // code loading: a jar opened is a code origin (reported once, unless on the launch path);
      // its reads are not file reads
      if (error == null) {
        single(EventKind.CODE_ORIGIN, key(EventKind.CODE_ORIGIN, path), path, null, null);
      }
      cache.put(key, Occurrence.IGNORED);
      return;
    }
    if ((kind == EventKind.FILE_WRITE
            || kind == EventKind.FILE_DELETE
            || kind == EventKind.FILE_READ)
        && Caps.fits(path)
        && !linked
        && sameShapeAsKnown(kind, path, error)) {
      return; // one more file of a shape already reported in its directory: counted as its repeat
    }
    Occurrence first = fresh(cache, kind, key, path, opened, error);
    if (first != null && opened != null && kernelPath != null) {
      first.watch =
          swaps.watch(
              files.absolute(path),
              kernelPath,
              opened,
              !first.template.getFile().getRealPath().isEmpty());
    }
  }

  /**
   * A watched path that opens another file now than at first sight: its occurrence is kept (under a
   * key of its own, still flushed) and the path is free to be reported as new.
   */
  private Occurrence swappedAway(Cache<Object, Occurrence> cache, Object key, Occurrence old) {
    if (cache.asMap().remove(key, old)) {
      cache.put(new Former(old), old);
    }
    return null;
  }

  /** The cache key of an occurrence its path no longer opens: equal only to itself. */
  private static final class Former {
    private final Occurrence occurrence;

    Former(Occurrence occurrence) {
      this.occurrence = occurrence;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Former && ((Former) o).occurrence == occurrence;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(occurrence);
    }
  }

  /**
   * A file not seen before whose name has a shape ({@link NamePatterns}) already reported in the
   * same directory: counted as a repeat of that one, unless its real path has another shape. The
   * first of each shape is registered under it by {@link #single}.
   */
  private boolean sameShapeAsKnown(EventKind kind, String path, Throwable error) {
    String normalised = files.normalise(path);
    String shape = NamePatterns.of(normalised);
    if (shape == null) {
      return false;
    }
    Occurrence first = targets(kind, error).getIfPresent(new Shape(shape));
    if (first == null || first == Occurrence.IGNORED || first.evicted) {
      return false; // (an evicted first is no longer flushed: this file is reported on its own)
    }
    String real = files.real(path, kind != EventKind.FILE_DELETE);
    String judged =
        first.template.getFile().getRealPath().isEmpty()
            ? first.template.getFile().getPath()
            : first.template.getFile().getRealPath();
    String realShape = real == null || real.equals(normalised) ? shape : NamePatterns.of(real);
    if (!shape.equals(realShape)
        && !(realShape != null && realShape.equals(NamePatterns.of(judged)))) {
      return false; // a link among the temp files, pointing elsewhere: its own event
    }
    repeat(first, clockMs);
    return true;
  }

  /** The cache key of a name's shape: never equal to a path key. */
  private static final class Shape {
    private final String shape;

    Shape(String shape) {
      this.shape = shape;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Shape && ((Shape) o).shape.equals(shape);
    }

    @Override
    public int hashCode() {
      return shape.hashCode() * 31 + 7;
    }
  }

  @Override
  public void listing(String path, Throwable error) {
    if (path != null) {
      // its own key: a directory listed is not a file of that name read
      Listing key = new Listing(key(EventKind.FILE_READ, path));
      Cache<Object, Occurrence> cache = targets(EventKind.FILE_READ, error);
      if (!counted(cache.getIfPresent(key))) {
        fresh(cache, EventKind.FILE_READ, key, path, Listing.class, error);
      }
    }
  }

  @Override
  public void rename(String from, String to, Throwable error) {
    if (from != null) {
      Object key =
          key(EventKind.FILE_RENAME, from)
              + "\u0000"
              + (to == null ? "" : key(EventKind.FILE_RENAME, to));
      single(EventKind.FILE_RENAME, key, from, to, error);
    }
  }

  @Override
  public void process(String[] argv, String workingDir, Throwable error) {
    String[] env = SpawnEnvironment.take();
    if (argv == null) {
      return;
    }
    if (env == null) {
      single(EventKind.PROCESS_SPAWN, Caps.argvKey(argv), argv, workingDir, error);
    } else { // LD_PRELOAD & co. make it another command
      Object key = Caps.argvKey(argv) + "\u0001" + Caps.argvKey(env);
      single(
          EventKind.PROCESS_SPAWN, key, argv, new SpawnEnvironment.Spawn(workingDir, env), error);
    }
  }

  @Override
  public void spawnEnvironment(Object environment) {
    SpawnEnvironment.offer(environment, System.getenv());
  }

  @Override
  public void nativeLoad(String path, Class<?> forClass, Throwable error) {
    if (path != null && path.indexOf('/') >= 0) { // a library built into the launcher has no file
      single(EventKind.NATIVE_LOAD, key(EventKind.NATIVE_LOAD, path), path, forClass, error);
    }
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

  @Override
  public void unix(EventKind kind, Object target, Throwable error) {
    unixPath(kind, UnixSockets.path(target), error);
  }

  @Override
  public void httpRequest(Object request) {
    handoffs.httpRequest(request);
  }

  @Override
  public void eventLoopRequest(Object target) {
    handoffs.eventLoopRequest(target);
  }

  /**
   * The agent's own Kafka client, on its network thread: silent from now on. The name only picks
   * the candidate; the bridge marks the thread only if nothing but JDK and agent code is on its
   * stack, so a thread an application renames stays visible (and its attempt is reported).
   */
  private static boolean agentsOwnKafkaClient() {
    return Thread.currentThread().getName().startsWith(AGENT_KAFKA_THREAD)
        && Gate.markAgentThread();
  }

  /**
   * A Unix domain socket event, keyed by the path string as given (UnixPath caches its string
   * form).
   */
  private void unixPath(EventKind kind, String path, Throwable error) {
    if (path != null && !path.isEmpty()) {
      single(kind, key(kind, path), path, null, error);
    }
  }

  /**
   * The cache key of a target: the object the hook holds, except for an over-long string (always a
   * failed open or lookup: longer than PATH_MAX), keyed by what will be sent so that the cache
   * never holds megabytes per entry — normalised first for files, so a long {@code ..} chain cannot
   * fold into another path's entry.
   */
  private Object key(EventKind kind, String target) {
    if (Caps.fits(target)) {
      return target;
    }
    return Caps.key(kind == EventKind.DNS_LOOKUP ? target : files.normalise(target));
  }

  private void single(EventKind kind, Object key, Object target, Object extra, Throwable error) {
    Cache<Object, Occurrence> cache = targets(kind, error);
    if (!counted(cache.getIfPresent(key))) {
      fresh(cache, kind, key, target, extra, error);
    }
  }

  /**
   * True when {@code seen} is a known target: its repeat is counted (or it is ignored), nothing
   * more to do.
   */
  private boolean counted(Occurrence seen) {
    if (seen != null && seen != Occurrence.IGNORED) {
      // a repeat needs no better than the pipeline's tick; something new reads the clock itself
      repeat(seen, clockMs);
    }
    return seen != null;
  }

  /**
   * A target not in {@code cache}: described, completed and handed over, or remembered as ignored.
   */
  private Occurrence fresh(
      Cache<Object, Occurrence> cache,
      EventKind kind,
      Object key,
      Object target,
      Object extra,
      Throwable error) {
    return fresh(cache, kind, key, target, extra, 0, error);
  }

  /** Returns the new occurrence when this call reported it, else null. */
  private Occurrence fresh(
      Cache<Object, Occurrence> cache,
      EventKind kind,
      Object key,
      Object target,
      Object extra,
      int port,
      Throwable error) {
    Event.Builder event = describe(kind, target, extra, port);
    if (event == null) {
      cache.put(key, Occurrence.IGNORED);
      return null;
    }
    Occurrence fresh = complete(event, error);
    Occurrence winner = cache.asMap().putIfAbsent(key, fresh);
    if (winner == null) {
      if (event.hasFile() && kind != EventKind.FILE_RENAME && !event.getFile().getDirectory()) {
        String shape = NamePatterns.of(event.getFile().getPath());
        if (shape != null) {
          cache
              .asMap()
              .putIfAbsent(new Shape(shape), fresh); // the first of its shape in this directory
        }
      }
      handOver(fresh);
      return fresh;
    } else if (winner != Occurrence.IGNORED) {
      winner.hit(clockMs);
    }
    return null;
  }

  private void byPort(EventKind kind, InetAddress address, int port, Throwable error) {
    if (address == null) {
      return;
    }
    Cache<InetAddress, PortTable> cache = peers(kind, error);
    long now = clockMs;
    PortTable ports = cache.getIfPresent(address);
    if (ports == null) {
      ports = cache.asMap().computeIfAbsent(address, a -> new PortTable());
    }
    Occurrence seen = ports.get(port);
    if (seen != null) {
      if (kind != EventKind.NET_CONNECT || seen.peer == address || sameHost(seen, address)) {
        repeat(seen, now); // the repeat path: the same InetAddress object costs no allocation
      } else {
        otherName(kind, address, port, error); // a CDN's or a shared address's other name
      }
      return;
    }
    Event.Builder event = describe(kind, address, null, port);
    if (event == null) {
      return; // excluded host: cheap enough to re-check, and rare
    }
    Occurrence fresh = complete(event, error);
    fresh.peer = address;
    Occurrence winner = ports.putIfAbsent(port, fresh);
    if (winner == fresh) {
      handOver(fresh);
    } else {
      winner.hit(now);
    }
  }

  /**
   * A repeat: one increment; on a sampled one, a look at the call site (see {@link
   * Occurrence#sampled}) — the short walk that stops at it. Only a call site not seen before pays
   * for the walk of the whole stack that finds its context frames.
   */
  private void repeat(Occurrence known, long now) {
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
  private void otherName(EventKind kind, InetAddress address, int port, Throwable error) {
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
   * The target as the wire describes it, or null when filtered out. Only called for new targets.
   */
  private Event.Builder describe(EventKind kind, Object target, Object extra, int port) {
    Event.Builder e = Event.newBuilder().setKind(kind);
    switch (kind) {
      case NET_CONNECT:
      case NET_ACCEPT:
      case NET_LISTEN:
        return target instanceof InetAddress
            ? network(e, (InetAddress) target, port)
            : unixSocket(e, (String) target);
      case DATAGRAM:
        {
          InetSocketAddress sa = (InetSocketAddress) target;
          String ip = sa.getAddress() == null ? "" : sa.getAddress().getHostAddress();
          if (filters.excludedHost(sa.getHostString(), ip)) {
            return null;
          }
          return e.setNetwork(
              NetworkTarget.newBuilder()
                  .setHost(caps.cap(sa.getHostString()))
                  .setIp(ip)
                  .setPort(sa.getPort())
                  .setProtocol("udp"));
        }
      case DNS_LOOKUP:
        {
          if (target instanceof InetAddress) {
            InetAddress address = (InetAddress) target;
            return filters.excludedHost("", address.getHostAddress())
                ? null
                : e.setDns(DnsQueries.reverse(address, (String) extra, caps));
          }
          String host = (String) target;
          if (host.isEmpty() || Filters.isIpLiteral(host) || filters.excludedHost(host, "")) {
            return null;
          }
          DnsTarget.Builder d = DnsTarget.newBuilder().setQuery(caps.cap(host));
          if (extra instanceof Object[]) {
            for (Object o : (Object[]) extra) {
              if (o instanceof InetAddress && d.getResolvedIpsCount() < Caps.MAX_ADDRESSES) {
                d.addResolvedIps(((InetAddress) o).getHostAddress());
              }
            }
          }
          return e.setDns(d);
        }
      case FILE_READ:
      case FILE_WRITE:
      case FILE_DELETE:
        {
          FileTarget.Builder f = FileTarget.newBuilder();
          String real = file((String) target, kind != EventKind.FILE_DELETE, f);
          if (extra == Listing.class) {
            f.setDirectory(true);
          }
          SameFiles.Inode opened =
              extra instanceof SameFiles.Inode ? (SameFiles.Inode) extra : null;
          if (opened != null) {
            f.setLinks(opened.links);
            String same = sameFiles.sameAs(opened, real);
            if (same != null) f.setSameFileAs(same);
          }
          boolean linked = opened != null && opened.links > 1;
          return !linked && filters.excludedPath(real, kind == EventKind.FILE_READ)
              ? null
              : e.setFile(f);
        }
      case FILE_RENAME:
        {
          FileTarget.Builder f = FileTarget.newBuilder();
          String from = file((String) target, false, f);
          String to = "";
          if (extra != null) {
            FileTarget.Builder t = FileTarget.newBuilder();
            to = file((String) extra, false, t);
            f.setNewPath(t.getPath()).setNewRealPath(t.getRealPath());
          }
          return filters.excludedPath(from, false) && filters.excludedPath(to, false)
              ? null
              : e.setFile(f);
        }
      case NATIVE_LOAD:
        {
          CodeTarget.Builder c = CodeTarget.newBuilder();
          String judged = codePath((String) target, c);
          if (filters.excludedPath(judged, false)) {
            return null; // the JDK's own libraries; the user's exclusions
          }
          c.setLoader(
              extra instanceof Class
                  ? caps.cap(CodeLocations.loaderName(((Class<?>) extra).getClassLoader()))
                  : "");
          return e.setCode(c.setWritableDir(CodeOrigins.writableDir(judged)));
        }
      case CODE_ORIGIN:
        {
          CodeTarget.Builder c = CodeTarget.newBuilder().setOrigin("jar");
          String judged = codePath((String) target, c);
          return codeOrigins.launchedWith(judged) || filters.excludedPath(judged, false)
              ? null
              : e.setCode(c);
        }
      case PROCESS_SPAWN:
        {
          String[] given = (String[]) target;
          List<String> argv = caps.argv(Redactor.argv(given)); // redacted whole, then cut
          ProcessTarget.Builder p =
              ProcessTarget.newBuilder()
                  .setExecutable(argv.isEmpty() ? "" : argv.get(0))
                  .addAllArgv(argv);
          SpawnEnvironment.Spawn spawn =
              extra instanceof SpawnEnvironment.Spawn ? (SpawnEnvironment.Spawn) extra : null;
          String workingDir = spawn != null ? spawn.workingDir : (String) extra;
          if (workingDir != null) {
            p.setWorkingDir(caps.cap(workingDir));
          }
          if (given.length > 0 && given[0] != null) {
            executables.describe(given[0], workingDir, p, caps);
          }
          if (spawn != null) {
            p.addAllEnv(caps.argv(Redactor.environment(java.util.Arrays.asList(spawn.env))));
          }
          return e.setProcess(p);
        }
      default:
        throw new IllegalArgumentException(
            "no description for " + kind); // a group reporting a kind this recorder does not know
    }
  }

  private Event.Builder network(Event.Builder e, InetAddress a, int port) {
    String host = Filters.hostAsGiven(a);
    if (filters.excludedHost(host, a.getHostAddress())) {
      return null;
    }
    NetworkTarget.Builder n =
        NetworkTarget.newBuilder().setIp(a.getHostAddress()).setPort(port).setProtocol("tcp");
    if (host != null) {
      n.setHost(caps.cap(host));
    }
    return e.setNetwork(n);
  }

  /**
   * The socket file is what the kernel connects to: report its real path (a link such as /var/run
   * -> /run, or a symlink an attacker made to docker.sock, is resolved), else the normalised one,
   * and the sensitive socket a hard link is the same file as.
   */
  private Event.Builder unixSocket(Event.Builder e, String given) {
    String real = files.real(given, true);
    String path = real != null ? real : files.normalise(given);
    // A hard link to a sensitive socket is that socket (one stat, first sight only).
    SameFiles.Inode socket = SameFiles.of(path);
    String same = socket == null ? null : sameFiles.sameAs(socket, path);
    if (same == null && filters.excludedPath(path, false)) {
      return null;
    }
    NetworkTarget.Builder n =
        NetworkTarget.newBuilder().setProtocol("unix").setPath(caps.cap(path));
    if (same != null) {
      n.setSameFileAs(same);
    }
    return e.setNetwork(n);
  }

  /**
   * Fills path, requested_path and real_path of a file target; returns the path to judge it by (the
   * real one when known), so that neither {@code ..} nor a symlink leads out of an excluded
   * directory unseen.
   */
  private String file(String given, boolean followLast, FileTarget.Builder f) {
    String path = files.normalise(given);
    String real = files.real(given, followLast);
    f.setPath(caps.cap(path));
    if (!given.equals(path)) {
      f.setRequestedPath(caps.cap(given));
    }
    if (real != null && !real.equals(path)) {
      f.setRealPath(caps.cap(real));
    }
    return real != null ? real : path;
  }

  /** Fills path and real_path of a code target; returns the path to judge it by. */
  private String codePath(String given, CodeTarget.Builder c) {
    String path = files.normalise(given);
    String real = files.real(given, true);
    c.setPath(caps.cap(path));
    if (real != null && !real.equals(path)) {
      c.setRealPath(caps.cap(real));
    }
    return real != null ? real : path;
  }

  /**
   * The new occurrence: the described target with its call site, context frames, thread and time —
   * the current thread's, or for a replayed early observation the one it was seen on.
   */
  private Occurrence complete(Event.Builder e, Throwable error) {
    EarlyBuffer.Observation early = replaying();
    Thread t = early != null ? early.thread : Thread.currentThread();
    long now = early != null ? early.timeMs : System.currentTimeMillis();
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

  private static InetSocketAddress[] channelPeer(SocketChannel ch) {
    try {
      SocketAddress remote = ch.getRemoteAddress();
      SocketAddress local = ch.getLocalAddress();
      if (remote instanceof InetSocketAddress && local instanceof InetSocketAddress) {
        return new InetSocketAddress[] {(InetSocketAddress) remote, (InetSocketAddress) local};
      }
    } catch (java.io.IOException | RuntimeException e) {
      // closed already: nothing to report
    }
    return null;
  }

  /** The address a server is bound to: Inet or Unix; the requested one when the bind failed. */
  private static SocketAddress listenAddress(Object server, Object requested) {
    SocketAddress asked = requested instanceof SocketAddress ? (SocketAddress) requested : null;
    try {
      SocketAddress bound = null;
      if (server instanceof ServerSocketChannel) {
        bound = ((ServerSocketChannel) server).getLocalAddress();
      } else if (server instanceof ServerSocket) {
        // the JDK's impl, not a method a subclass may override to hide a bind shell
        bound = BoundAddresses.bound((ServerSocket) server);
        if (bound == null) {
          bound = ((ServerSocket) server).getLocalSocketAddress();
        }
      }
      return bound != null ? bound : asked; // null: the bind failed
    } catch (java.io.IOException | RuntimeException e) {
      return asked;
    }
  }

  private static String localUnixPath(SocketChannel ch) {
    try {
      return UnixSockets.path(ch.getLocalAddress());
    } catch (java.io.IOException | RuntimeException e) {
      return null; // closed already
    }
  }

  private void lostOnEviction(Occurrence o, RemovalCause cause) {
    if (cause.wasEvicted() && o != null && o != Occurrence.IGNORED) {
      o.evicted = true;
      long lost = o.pending.get() + (o.firstUndelivered ? 1 : 0);
      if (lost > 0) {
        stats.dropped(AgentStats.CACHE_FULL, lost);
      }
    }
  }

  private static void addWithOtherSites(List<Occurrence> all, Occurrence o) {
    all.add(o);
    for (Occurrence other : o.otherSites()) {
      all.add(other); // a lost first send is retried with the flush
    }
  }

  /** Called by the pipeline thread on every turn of its loop. */
  void tick() {
    clockMs = System.currentTimeMillis();
  }

  /** New occurrences waiting for the pipeline thread. */
  BlockingQueue<Occurrence> fresh() {
    return fresh;
  }

  /** Every known occurrence, for the periodic flush of repeats. */
  List<Occurrence> occurrences() {
    List<Occurrence> all = new ArrayList<>();
    for (int i = 0; i < targets.length(); i++) {
      Cache<Object, Occurrence> cache = targets.get(i);
      if (cache == null) continue;
      for (java.util.Map.Entry<Object, Occurrence> e : cache.asMap().entrySet()) {
        if (e.getValue() != Occurrence.IGNORED && !(e.getKey() instanceof Shape))
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
}
