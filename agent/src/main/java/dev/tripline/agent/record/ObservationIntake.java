package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.gate.Gate;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.model.EventKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * What each hook group reports, turned into the key its repeats are found by and handed to the
 * {@link EventRecorder}: which cache, which key (the object the hook holds), what is not the
 * application's own doing (the agent's Kafka client, the JVM reading its container limits, the
 * canary). Runs on the application thread; a repeat costs one cache lookup.
 */
@NullMarked
final class ObservationIntake implements Observations {
  private static final String AGENT_KAFKA_THREAD = "kafka-producer-network-thread | tripline";

  private final EventRecorder recorder;
  private final FileTargets files;
  private final FileShapes shapes;
  private final HandoffSites handoffs;
  private final Canary canary;
  private final PendingConnects pending = new PendingConnects();
  private final SwapWatch swaps = new SwapWatch();
  private final RequestContexts requests;
  private final HandedOverRequests handedOver;

  ObservationIntake(
      EventRecorder recorder,
      FileTargets files,
      HandoffSites handoffs,
      Canary canary,
      RequestContexts requests) {
    this.recorder = recorder;
    this.requests = requests;
    this.handedOver = new HandedOverRequests(requests);
    this.files = files;
    this.shapes = new FileShapes(files);
    this.handoffs = handoffs;
    this.canary = canary;
  }

  @Override
  public void connect(@Nullable InetAddress remote, int port, @Nullable Throwable error) {
    if (agentsOwnKafkaClient()) {
      return;
    }
    recorder.byPort(EventKind.NET_CONNECT, remote, port, error);
  }

  @Override
  public void connectChannel(
      @Nullable Object channel,
      @Nullable Object remote,
      boolean connected,
      @Nullable Throwable error) {
    if (error == null && !connected && channel != null && pending.put(channel, remote)) {
      return; // non-blocking, in progress: finishConnect reports the outcome
    }
    connectTo(remote, error); // done (or no room to wait: reported as the attempt)
  }

  @Override
  public void finishConnect(
      @Nullable Object channel, boolean connected, @Nullable Throwable error) {
    if (error == null && !connected) {
      return; // still in progress
    }
    if (channel == null) {
      return;
    }
    Object remote = pending.take(channel);
    if (remote != null) {
      connectTo(remote, error);
    } // else: already reported at connect (connected at once, or no room to wait)
  }

  private void connectTo(@Nullable Object remote, @Nullable Throwable error) {
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
  public void datagram(@Nullable Object target, @Nullable Throwable error) {
    if (target instanceof InetSocketAddress) {
      recorder.single(EventKind.DATAGRAM, target, target, null, error);
    }
  }

  @Override
  public void listen(
      @Nullable Object server, @Nullable Object requested, @Nullable Throwable error) {
    SocketAddress local = listenAddress(server, requested);
    if (local instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) local;
      recorder.byPort(EventKind.NET_LISTEN, inet.getAddress(), inet.getPort(), error);
    } else {
      unixPath(EventKind.NET_LISTEN, UnixSockets.path(local), error);
    }
  }

  @Override
  public void accept(@Nullable InetAddress remote, int localPort) {
    recorder.byPort(EventKind.NET_ACCEPT, remote, localPort, null);
  }

  @Override
  public void acceptSocket(@Nullable Socket socket) {
    if (socket == null) {
      return;
    }
    SocketImpl impl = BoundAddresses.impl(socket);
    InetAddress peer = impl == null ? null : BoundAddresses.peer(impl);
    if (impl != null && peer != null) {
      accept(peer, BoundAddresses.localPort(impl)); // the JDK's impl: no override can lie here
    } else {
      accept(socket.getInetAddress(), socket.getLocalPort());
    }
  }

  @Override
  public void acceptChannel(@Nullable Object channel) {
    if (!(channel instanceof SocketChannel)) {
      return;
    }
    InetSocketAddress[] peer = channelPeer((SocketChannel) channel);
    if (peer != null) {
      recorder.byPort(EventKind.NET_ACCEPT, peer[0].getAddress(), peer[1].getPort(), null);
    } else {
      unixPath(EventKind.NET_ACCEPT, localUnixPath((SocketChannel) channel), null);
    }
  }

  @Override
  public void dns(@Nullable String host, Object @Nullable [] addresses, @Nullable Throwable error) {
    if (host != null && !agentsOwnKafkaClient()) {
      recorder.single(
          EventKind.DNS_LOOKUP, key(EventKind.DNS_LOOKUP, host), host, addresses, error);
    }
  }

  @Override
  public void reverseDns(
      @Nullable InetAddress address, @Nullable String name, @Nullable Throwable error) {
    if (address != null && !agentsOwnKafkaClient()) {
      // keyed by the address itself (no allocation on a repeat); apart from names, which are
      // Strings
      recorder.single(EventKind.DNS_LOOKUP, address, address, name, error);
    }
  }

  @Override
  public void jndiDns(@Nullable Object name) {
    if (name != null && !agentsOwnKafkaClient()) {
      String host = DnsQueries.jndiName(name);
      if (host != null) { // apart from InetAddress lookups of the same name: the context differs
        recorder.single(EventKind.DNS_LOOKUP, DnsQueries.jndiKey(host), host, null, null);
      }
    }
  }

  @Override
  public void file(EventKind kind, @Nullable String path, @Nullable Throwable error) {
    file(kind, path, error, false);
  }

  @Override
  public void created(@Nullable String path) {
    file(EventKind.FILE_WRITE, path, null, true);
  }

  /**
   * {@code created}: a FILE_WRITE that made a new file ({@link Observations#created}), so no link
   * in its name and no other link to it — one look at its directory decides a known shape, and the
   * file itself is looked at only when it is reported.
   */
  private void file(
      EventKind kind, @Nullable String path, @Nullable Throwable error, boolean created) {
    if (path == null) {
      return;
    }
    Object key = key(kind, path);
    Cache<Object, Occurrence> cache = recorder.targets(kind, error);
    Occurrence seen = cache.getIfPresent(key);
    if (seen != null && seen.watch != null && SwapWatch.swapped(seen.watch)) {
      FileShapes.swappedAway(cache, key, seen); // the path opens another file now: judged anew
      seen = null;
    }
    if (recorder.counted(seen)) {
      return; // a repeat: the one cache lookup of the hot path
    }
    if (canary.arrived(path)) {
      return; // never cached, so it costs nothing on the repeat path above
    }
    if (kind == EventKind.FILE_READ
        && (path.startsWith("/sys/fs/cgroup/") || path.startsWith("/proc/"))
        && jdkContainerSupport()) {
      // the JVM reading its own limits: not cached, so the same file read by other code is still
      // seen
      return;
    }
    // What was opened, by device and inode, and its real path (one look, first sight only): a file
    // with more than one link may be a sensitive file under any name, so no filter drops it.
    FileTargets.Sight sight =
        created
            ? files.created(path)
            : files.look(
                path,
                kind != EventKind.FILE_DELETE,
                error == null && kind != EventKind.FILE_DELETE);
    SameFiles.Inode opened = sight.opened;
    boolean linked = opened != null && opened.links > 1; // never a file just created
    if (kind == EventKind.FILE_READ && CodeOrigins.isJar(path) && !linked) {
      // code loading: a jar opened is a code origin (reported once, unless on the launch path);
      // its reads are not file reads
      if (error == null) {
        recorder.single(EventKind.CODE_ORIGIN, key(EventKind.CODE_ORIGIN, path), path, null, null);
      }
      cache.put(key, Occurrence.IGNORED);
      return;
    }
    Occurrence shape =
        (kind == EventKind.FILE_WRITE
                    || kind == EventKind.FILE_DELETE
                    || kind == EventKind.FILE_READ)
                && Caps.fits(path)
                && !linked
            ? shapes.knownShape(cache, path, sight.real)
            : null;
    if (shape != null) {
      recorder.repeat(shape); // one more file of a shape already reported in its directory
      return;
    }
    if (created) {
      // reported: its identity for the swap watch, and its real path, as for any open
      sight = files.look(path, true, true);
      opened = sight.opened;
    }
    Occurrence first = recorder.fresh(cache, kind, key, path, sight, 0, error);
    if (first != null && opened != null && sight.kernelPath != null) {
      first.watch =
          swaps.watch(
              files.absolute(path),
              sight.kernelPath,
              opened,
              !first.target().getFile().getRealPath().isEmpty());
    }
  }

  @Override
  public void listing(@Nullable String path, @Nullable Throwable error) {
    if (path != null) {
      // its own key: a directory listed is not a file of that name read
      Listing key = new Listing(key(EventKind.FILE_READ, path));
      Cache<Object, Occurrence> cache = recorder.targets(EventKind.FILE_READ, error);
      if (!recorder.counted(cache.getIfPresent(key))) {
        recorder.fresh(cache, EventKind.FILE_READ, key, path, Listing.class, 0, error);
      }
    }
  }

  @Override
  public void rename(@Nullable String from, @Nullable String to, @Nullable Throwable error) {
    if (from != null) {
      Object key =
          key(EventKind.FILE_RENAME, from)
              + "\u0000"
              + (to == null ? "" : key(EventKind.FILE_RENAME, to));
      recorder.single(EventKind.FILE_RENAME, key, from, to, error);
    }
  }

  @Override
  public void process(
      String @Nullable [] argv, @Nullable String workingDir, @Nullable Throwable error) {
    String[] env = SpawnEnvironment.take();
    if (argv == null) {
      return;
    }
    if (env == null) {
      recorder.single(EventKind.PROCESS_SPAWN, Caps.argvKey(argv), argv, workingDir, error);
    } else { // LD_PRELOAD & co. make it another command
      Object key = Caps.argvKey(argv) + "\u0001" + Caps.argvKey(env);
      recorder.single(
          EventKind.PROCESS_SPAWN, key, argv, new SpawnEnvironment.Spawn(workingDir, env), error);
    }
  }

  @Override
  public void halting() {
    recorder.halting();
  }

  @Override
  public void spawnEnvironment(@Nullable Object environment) {
    SpawnEnvironment.offer(environment, System.getenv());
  }

  @Override
  public void nativeLoad(
      @Nullable String path, @Nullable Class<?> forClass, @Nullable Throwable error) {
    if (path != null && path.indexOf('/') >= 0) { // a library built into the launcher has no file
      recorder.single(
          EventKind.NATIVE_LOAD, key(EventKind.NATIVE_LOAD, path), path, forClass, error);
    }
  }

  @Override
  public void unix(EventKind kind, @Nullable Object target, @Nullable Throwable error) {
    unixPath(kind, UnixSockets.path(target), error);
  }

  @Override
  public void httpRequest(@Nullable Object request) {
    handoffs.httpRequest(request);
  }

  @Override
  public void eventLoopRequest(@Nullable Object target) {
    handoffs.eventLoopRequest(target);
  }

  @Override
  public void request(@Nullable Object request, boolean start) {
    if (recorder.replaying() != null) {
      return; // seen before the recorder existed: its thread is not this one
    }
    if (start) {
      requests.enter(request);
    } else {
      requests.exit(request);
    }
  }

  @Override
  public void taskHandedOver(@Nullable Object task) {
    if (recorder.replaying() == null) {
      handedOver.handedOver(task);
    }
  }

  @Override
  public void taskRuns(@Nullable Object task, boolean start) {
    if (recorder.replaying() == null) {
      handedOver.runs(task, start);
    }
  }

  @Override
  public void executorTask(@Nullable Object task, boolean start) {
    if (recorder.replaying() == null) {
      handedOver.executorTask(task, start);
    }
  }

  @Override
  public void requestRoute(@Nullable Object exchange) {
    if (recorder.replaying() == null) {
      requests.routed(exchange);
    }
  }

  /**
   * Whether the JDK's container support is reading its limits (the replayed stack, if replaying).
   */
  private boolean jdkContainerSupport() {
    EarlyBuffer.Observation early = recorder.replaying();
    return early == null
        ? CallSites.isJdkContainerSupport()
        : CallSites.isJdkContainerSupport(early.frames);
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
  private void unixPath(EventKind kind, @Nullable String path, @Nullable Throwable error) {
    if (path != null && !path.isEmpty()) {
      recorder.single(kind, key(kind, path), path, null, error);
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

  private static InetSocketAddress @Nullable [] channelPeer(SocketChannel ch) {
    try {
      SocketAddress remote = ch.getRemoteAddress();
      SocketAddress local = ch.getLocalAddress();
      if (remote instanceof InetSocketAddress && local instanceof InetSocketAddress) {
        return new InetSocketAddress[] {(InetSocketAddress) remote, (InetSocketAddress) local};
      }
    } catch (IOException | RuntimeException e) {
      // closed already: nothing to report
    }
    return null;
  }

  /** The address a server is bound to: Inet or Unix; the requested one when the bind failed. */
  private static @Nullable SocketAddress listenAddress(
      @Nullable Object server, @Nullable Object requested) {
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
    } catch (IOException | RuntimeException e) {
      return asked;
    }
  }

  private static @Nullable String localUnixPath(SocketChannel ch) {
    try {
      return UnixSockets.path(ch.getLocalAddress());
    } catch (IOException | RuntimeException e) {
      return null; // closed already
    }
  }
}
