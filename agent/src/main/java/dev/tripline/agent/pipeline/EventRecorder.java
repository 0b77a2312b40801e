package dev.tripline.agent.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.redact.Redactor;
import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.bootstrap.TriplineDispatcher;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Where an observation from a hook becomes an event. Runs on the application thread.
 *
 * <p>A repeat (same kind, target and outcome) is found in a Caffeine cache keyed by the object the
 * hook already holds (the path String, the peer InetAddress + port…) and costs an increment. Only
 * something new pays for the stack walk, the protobuf and a slot in the hand-off queue to the
 * pipeline thread, which sends it at once.
 */
public final class EventRecorder implements TriplineDispatcher {
  private static final Object IGNORED = new Object();
  private static final String AGENT_KAFKA_THREAD = "kafka-producer-network-thread | tripline";

  private final AgentStats stats;
  private final Filters filters;
  private final Caps caps;
  private final ContextFrames contextFrames;
  private final FileTargets files = new FileTargets(System.getProperty("user.dir"));
  private final Cache<Object, Object>[] caches;
  private final BlockingQueue<Occurrence> fresh;
  /** Wall-clock time, refreshed by the pipeline thread every 50 ms: repeats read it instead of the clock. */
  private volatile long clockMs = System.currentTimeMillis();

  @SuppressWarnings("unchecked")
  public EventRecorder(AgentConfig config, AgentStats stats) {
    this.stats = stats;
    this.filters = new Filters(config);
    this.caps = new Caps(stats);
    this.contextFrames = new ContextFrames(config.get("context.frames"));
    if (!contextFrames.rejected().isEmpty()) {
      System.err.println("[tripline] context.frames: ignoring " + contextFrames.rejected() + " (expected category=prefix)");
    }
    this.fresh = new ArrayBlockingQueue<>(config.integer("queue.capacity"));
    int size = config.integer("cache.size");
    this.caches = new Cache[KINDS * 2];
    for (int i = 0; i < caches.length; i++) {
      caches[i] = Caffeine.newBuilder().maximumSize(size).executor(Runnable::run)
          .removalListener((Object k, Object v, RemovalCause cause) -> lostOnEviction(v, cause)).build();
    }
    stats.queueDepth(() -> fresh.size());
  }

  @Override
  public void report(int kind, Object target, Object extra, int port, Throwable error) {
    if ((kind == CONNECT || kind == DNS) && Thread.currentThread().getName().startsWith(AGENT_KAFKA_THREAD)) {
      TriplineBridge.markAgentThread(); // the agent's own Kafka client: silent from now on
      return;
    }
    stats.seen();
    if (kind <= 0 || kind >= KINDS) {
      stats.error(); // a hook newer than this recorder: counted, never thrown into the bridge
      return;
    }
    long now = clockMs; // a repeat needs no better than the pipeline's tick; something new reads the clock itself
    Cache<Object, Object> cache = caches[kind * 2 + (error == null ? 0 : 1)];
    switch (kind) {
      case CONNECT:
        if (target instanceof InetAddress) {
          byPort(cache, kind, (InetAddress) target, port, error, now);
        }
        return;
      case ACCEPT:
        if (target instanceof SocketChannel) {
          InetSocketAddress[] peer = channelPeer((SocketChannel) target);
          if (peer != null) {
            byPort(cache, kind, peer[0].getAddress(), peer[1].getPort(), null, now);
          } else {
            unix(UNIX_ACCEPT, localUnixPath((SocketChannel) target), null, now);
          }
        } else if (target instanceof InetAddress) {
          byPort(cache, kind, (InetAddress) target, port, null, now);
        }
        return;
      case LISTEN:
        SocketAddress local = listenAddress(target, extra);
        if (local instanceof InetSocketAddress) {
          InetSocketAddress inet = (InetSocketAddress) local;
          byPort(cache, kind, inet.getAddress(), inet.getPort(), error, now);
        } else {
          unix(UNIX_LISTEN, UnixSockets.path(local), error, now);
        }
        return;
      case UNIX_CONNECT:
      case UNIX_LISTEN:
        unix(kind, UnixSockets.path(target), error, now);
        return;
      case PROCESS:
        String[] cmd = (String[]) target;
        single(cache, Caps.argvKey(cmd), kind, target, extra, error, now);
        return;
      case FILE_RENAME:
        single(cache, key(kind, target) + "\u0000" + (extra == null ? "" : key(kind, extra)), kind, target, extra, error, now);
        return;
      default:
        if (target != null) {
          single(cache, key(kind, target), kind, target, extra, error, now);
        }
    }
  }

  /** A Unix domain socket event, keyed by the path string as given (UnixPath caches its string form). */
  private void unix(int kind, String path, Throwable error, long now) {
    if (path != null && !path.isEmpty()) {
      single(caches[kind * 2 + (error == null ? 0 : 1)], key(kind, path), kind, path, null, error, now);
    }
  }

  /**
   * The cache key of a target: the object the hook holds, except for an over-long string (always
   * a failed open or lookup: longer than PATH_MAX), keyed by what will be sent so that the cache
   * never holds megabytes per entry — normalised first for files, so a long {@code ..} chain cannot
   * fold into another path's entry.
   */
  private Object key(int kind, Object target) {
    if (!(target instanceof String) || Caps.fits((String) target)) {
      return target;
    }
    String s = (String) target;
    return Caps.key(kind == DNS ? s : files.normalise(s));
  }

  private void single(Cache<Object, Object> cache, Object key, int kind, Object target, Object extra, Throwable error,
      long now) {
    Object seen = cache.getIfPresent(key);
    if (seen instanceof Occurrence) {
      repeat((Occurrence) seen, now);
      return;
    }
    if (seen == IGNORED) {
      return;
    }
    Event.Builder event = describe(kind, target, extra, 0);
    if (event == null) {
      cache.put(key, IGNORED);
      return;
    }
    long exact = System.currentTimeMillis();
    Occurrence fresh = new Occurrence(complete(event, error, exact), exact);
    Object winner = cache.asMap().putIfAbsent(key, fresh);
    if (winner == null) {
      handOver(fresh);
    } else if (winner instanceof Occurrence) {
      ((Occurrence) winner).hit(now);
    }
  }

  private void byPort(Cache<Object, Object> cache, int kind, InetAddress address, int port, Throwable error, long now) {
    if (address == null) {
      return;
    }
    Object table = cache.getIfPresent(address);
    if (table == null) {
      table = cache.asMap().computeIfAbsent(address, a -> new PortTable());
    }
    PortTable ports = (PortTable) table;
    Occurrence seen = ports.get(port);
    if (seen != null) {
      repeat(seen, now);
      return;
    }
    Event.Builder event = describe(kind, address, null, port);
    if (event == null) {
      return; // excluded host: cheap enough to re-check, and rare
    }
    long exact = System.currentTimeMillis();
    Occurrence fresh = new Occurrence(complete(event, error, exact), exact);
    Occurrence winner = ports.putIfAbsent(port, fresh);
    if (winner == fresh) {
      handOver(fresh);
    } else {
      winner.hit(now);
    }
  }

  /**
   * A repeat: one increment; on a sampled one, a look at the call site (see {@link Occurrence#sampled})
   * — the short walk that stops at it. Only a call site not seen before pays for the walk of the
   * whole stack that finds its context frames.
   */
  private void repeat(Occurrence known, long now) {
    if (Occurrence.sampled(known.hit(now))) {
      Occurrence other = known.otherSite(caps.callSite(CallSites.site()),
          () -> caps.contexts(CallSites.capture(contextFrames).contexts), now);
      if (other != null) {
        handOver(other);
      }
    }
  }

  /** Offers a new occurrence to the pipeline thread; when the queue is full it goes out with the next flush. */
  private void handOver(Occurrence occurrence) {
    if (!fresh.offer(occurrence)) {
      occurrence.firstUndelivered = true;
      stats.deferred();
    }
  }

  /** The target as the wire describes it, or null when filtered out. Only called for new targets. */
  private Event.Builder describe(int kind, Object target, Object extra, int port) {
    Event.Builder e = Event.newBuilder();
    switch (kind) {
      case CONNECT:
      case ACCEPT:
      case LISTEN: {
        InetAddress a = (InetAddress) target;
        String host = Filters.hostAsGiven(a);
        if (filters.excludedHost(host, a.getHostAddress())) {
          return null;
        }
        EventKind k = kind == CONNECT ? EventKind.NET_CONNECT : kind == ACCEPT ? EventKind.NET_ACCEPT : EventKind.NET_LISTEN;
        NetworkTarget.Builder n = NetworkTarget.newBuilder().setIp(a.getHostAddress()).setPort(port).setProtocol("tcp");
        if (host != null) {
          n.setHost(caps.cap(host));
        }
        return e.setKind(k).setNetwork(n);
      }
      case UNIX_CONNECT:
      case UNIX_LISTEN:
      case UNIX_ACCEPT: {
        // The socket file is what the kernel connects to: report its real path (a link such as
        // /var/run -> /run, or one an attacker made to docker.sock, is resolved), else the normalised one.
        String given = (String) target;
        String real = files.real(given, true);
        String path = real != null ? real : files.normalise(given);
        if (filters.excludedPath(path, false)) {
          return null;
        }
        EventKind k = kind == UNIX_CONNECT ? EventKind.NET_CONNECT : kind == UNIX_ACCEPT ? EventKind.NET_ACCEPT : EventKind.NET_LISTEN;
        return e.setKind(k).setNetwork(NetworkTarget.newBuilder().setProtocol("unix").setPath(caps.cap(path)));
      }
      case DATAGRAM: {
        if (!(target instanceof InetSocketAddress)) {
          return null;
        }
        InetSocketAddress sa = (InetSocketAddress) target;
        String ip = sa.getAddress() == null ? "" : sa.getAddress().getHostAddress();
        if (filters.excludedHost(sa.getHostString(), ip)) {
          return null;
        }
        return e.setKind(EventKind.DATAGRAM).setNetwork(NetworkTarget.newBuilder()
            .setHost(caps.cap(sa.getHostString())).setIp(ip).setPort(sa.getPort()).setProtocol("udp"));
      }
      case DNS: {
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
        return e.setKind(EventKind.DNS_LOOKUP).setDns(d);
      }
      case FILE_READ:
      case FILE_WRITE:
      case FILE_DELETE: {
        String given = (String) target;
        FileTarget.Builder f = FileTarget.newBuilder();
        String real = file(given, kind != FILE_DELETE, f);
        if (filters.excludedPath(real, kind == FILE_READ)) {
          return null;
        }
        EventKind k = kind == FILE_READ ? EventKind.FILE_READ : kind == FILE_WRITE ? EventKind.FILE_WRITE : EventKind.FILE_DELETE;
        return e.setKind(k).setFile(f);
      }
      case FILE_RENAME: {
        FileTarget.Builder f = FileTarget.newBuilder();
        String from = file((String) target, false, f);
        String to = "";
        if (extra != null) {
          FileTarget.Builder t = FileTarget.newBuilder();
          to = file((String) extra, false, t);
          f.setNewPath(t.getPath()).setNewRealPath(t.getRealPath());
        }
        if (filters.excludedPath(from, false) && filters.excludedPath(to, false)) {
          return null;
        }
        return e.setKind(EventKind.FILE_RENAME).setFile(f);
      }
      case PROCESS: {
        List<String> argv = caps.argv(Redactor.argv((String[]) target)); // redacted whole, then cut
        ProcessTarget.Builder p = ProcessTarget.newBuilder().setExecutable(argv.isEmpty() ? "" : argv.get(0)).addAllArgv(argv);
        if (extra != null) {
          p.setWorkingDir(caps.cap((String) extra));
        }
        return e.setKind(EventKind.PROCESS_SPAWN).setProcess(p);
      }
      default:
        return null;
    }
  }

  /**
   * Fills path, requested_path and real_path of a file target; returns the path to judge it by
   * (the real one when known), so that neither {@code ..} nor a symlink leads out of an excluded
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

  private Event complete(Event.Builder e, Throwable error, long now) {
    Thread t = Thread.currentThread();
    CallSites.Captured stack = CallSites.capture(contextFrames);
    e.setCallSite(caps.callSite(stack.site))
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
    return e.build();
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
        bound = ((ServerSocket) server).getLocalSocketAddress();
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

  private void lostOnEviction(Object value, RemovalCause cause) {
    if (cause.wasEvicted() && value instanceof Occurrence) {
      Occurrence o = (Occurrence) value;
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
    for (Cache<Object, Object> cache : caches) {
      for (Object v : cache.asMap().values()) {
        if (v instanceof Occurrence) {
          addWithOtherSites(all, (Occurrence) v);
        } else if (v instanceof PortTable) {
          for (Occurrence o : ((PortTable) v).all()) addWithOtherSites(all, o);
        }
      }
    }
    return all;
  }
}
