package dev.tripline.collector.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Who may hold the port's sockets, and for how long (slowloris). Jetty's idle timeout restarts at
 * every byte, so a client trickling a byte every few seconds would hold a socket for ever; and a
 * connection limit that stops accepting lets idle sockets lock everyone out. Instead:
 *
 * <ul>
 *   <li><b>Time.</b> A connection must deliver its first complete request head (TLS handshake
 *       included) within {@code http.header.timeout} of opening; on a kept-alive connection the
 *       next head must be complete within {@code http.idle.timeout} of the previous answer; a body
 *       must arrive at {@code http.min.body.rate} bytes/s or faster after a grace of the header
 *       timeout. Checked by a sweep, so a trickle cannot restart the clock.
 *   <li><b>Capacity.</b> Connections that have not yet carried an authenticated request are
 *       <i>unproven</i>. When an address ({@code http.max.connections.per.address}) or the port
 *       ({@code http.max.connections}) is full, a new connection evicts the unproven connection not
 *       being served that sends slowest (bytes received per second; from the busiest address first)
 *       instead of being refused, so sockets held open by a stranger cannot keep out /health
 *       probes, Prometheus or the CLI (which send their request at once and finish within
 *       milliseconds). Proven connections and requests being answered are never evicted.
 * </ul>
 *
 * Counted on the network connection (with TLS the decrypted connection on top shares its socket).
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {
  private enum Phase {
    HEAD,
    BODY,
    SERVING,
    IDLE
  }

  /**
   * One open network connection. Phase fields are written by Jetty's threads, read by the sweep.
   */
  private static final class Tracked {
    final InetAddress address;
    final EndPoint network;
    final Connection connection;
    final long openedNanos;
    volatile Phase phase = Phase.HEAD;
    volatile long phaseStartNanos;
    volatile long bodyBytes;
    volatile boolean proven;

    Tracked(InetAddress address, Connection connection, long now) {
      this.address = address;
      this.connection = connection;
      this.network = connection.getEndPoint();
      this.openedNanos = now;
      this.phaseStartNanos = now;
    }

    boolean evictable() {
      return !proven && phase != Phase.SERVING;
    }

    double bytesPerSecond(long now) {
      return sendingRate(connection.getBytesIn(), now - openedNanos);
    }
  }

  /**
   * Bytes received per second, a connection younger than a second counted as a second old: the
   * slowest sender is evicted first. A probe or a CLI call sends its whole request (or TLS
   * ClientHello) at once, a slowloris socket a few bytes a second; among sockets opened in the same
   * instant, the one that sent most stays. Not read from yet (the selector had no turn): presumed a
   * client about to speak, never the victim in its first second; a socket silent for a second is
   * the first to go. A read request is safe once its head is parsed ({@link #headReceived}, called
   * on the parsing thread), so an unread wave cannot push it out.
   */
  static double sendingRate(long bytesIn, long ageNanos) {
    long bytes = Math.max(0, bytesIn);
    if (bytes == 0 && ageNanos < 1_000_000_000L) {
      return Double.MAX_VALUE;
    }
    return bytes * 1e9 / Math.max(ageNanos, 1_000_000_000L);
  }

  private final HttpLimits limits;
  private final HttpMetrics metrics;
  private final Map<EndPoint, Tracked> open = new ConcurrentHashMap<>();
  private final Map<InetAddress, Integer> perAddress = new HashMap<>(); // guarded by this
  private final ScheduledExecutorService sweeper;

  ConnectionGuard(HttpLimits limits, HttpMetrics metrics) {
    this.limits = limits;
    this.metrics = metrics;
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tripline-http-deadlines");
              t.setDaemon(true);
              return t;
            });
    // A quarter of the header timeout (at most 1 s): a deadline is enforced within 25 % of it.
    long period = Math.max(50, Math.min(1000, limits.headerTimeout().toMillis() / 4));
    var unused =
        sweeper.scheduleWithFixedDelay(this::sweepSafely, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onOpened(Connection connection) {
    EndPoint ep = connection.getEndPoint();
    InetAddress a = address(ep);
    if (a == null) {
      return; // the decrypted connection on top of a TLS socket: its socket is already counted
    }
    Tracked t = new Tracked(a, connection, System.nanoTime());
    Tracked victim = null;
    String refused = null;
    synchronized (this) {
      int fromHere = perAddress.getOrDefault(a, 0);
      if (fromHere >= limits.maxConnectionsPerAddress() || open.size() >= limits.maxConnections()) {
        forgetClosed();
        fromHere = perAddress.getOrDefault(a, 0);
      }
      if (fromHere >= limits.maxConnectionsPerAddress()) {
        victim = slowestEvictable(a);
        if (victim == null) refused = HttpMetrics.CONNECTIONS_PER_ADDRESS;
      } else if (open.size() >= limits.maxConnections()) {
        victim = slowestEvictable(null);
        if (victim == null) refused = HttpMetrics.CONNECTIONS_TOTAL;
      }
      if (refused == null) {
        if (victim != null) forget(victim);
        open.put(ep, t);
        perAddress.merge(a, 1, Integer::sum);
      }
    }
    if (refused != null) {
      metrics.rejected(refused);
      ep.close();
    } else if (victim != null) {
      metrics.rejected(HttpMetrics.CONNECTION_EVICTED);
      victim.network.close();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    Tracked t = open.get(connection.getEndPoint());
    if (t != null) {
      synchronized (this) {
        forget(t);
      }
    }
  }

  /** The request head is complete: it is being served (no deadline while we work). */
  void headReceived(Request request) {
    Tracked t = tracked(request);
    if (t != null) t.phase = Phase.SERVING;
  }

  /** The body is read next: it must keep up the minimum rate. */
  void bodyStarted(Request request) {
    Tracked t = tracked(request);
    if (t != null) {
      t.bodyBytes = 0;
      t.phaseStartNanos = System.nanoTime();
      t.phase = Phase.BODY;
    }
  }

  void bodyProgress(Request request, long bytes) {
    Tracked t = tracked(request);
    if (t != null) t.bodyBytes = bytes;
  }

  void bodyReceived(Request request) {
    Tracked t = tracked(request);
    if (t != null) t.phase = Phase.SERVING;
  }

  /** The connection carried an authenticated request: never evicted for a newcomer. */
  void proven(Request request) {
    Tracked t = tracked(request);
    if (t != null) t.proven = true;
  }

  /** {@code callback} that marks the connection idle (awaiting its next head) when answered. */
  Callback onAnswered(Request request, Callback callback) {
    Tracked t = tracked(request);
    if (t == null) {
      return callback;
    }
    return new Callback.Nested(callback) {
      @Override
      public void succeeded() {
        idle(t); // before Jetty may parse the next request on this connection
        super.succeeded();
      }

      @Override
      public void failed(Throwable x) {
        idle(t);
        super.failed(x);
      }
    };
  }

  private static void idle(Tracked t) {
    t.phaseStartNanos = System.nanoTime();
    t.phase = Phase.IDLE;
  }

  /** An exception would end the schedule: deadlines must keep being enforced. */
  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      System.err.println("[tripline] HTTP deadline sweep failed: " + e);
    }
  }

  /** Closes connections past their deadline. */
  void sweep() {
    long now = System.nanoTime();
    long head = limits.headerTimeout().toNanos();
    long idle = limits.idleTimeout().toNanos();
    for (Tracked t : open.values()) {
      String reason =
          switch (t.phase) {
            case HEAD -> now - t.openedNanos > head ? HttpMetrics.HEADER_TIMEOUT : null;
            case IDLE -> now - t.phaseStartNanos > idle ? "" : null; // as Jetty's idle timeout
            case BODY ->
                now - t.phaseStartNanos > head + bodyAllowance(t.bodyBytes)
                    ? HttpMetrics.BODY_TOO_SLOW
                    : null;
            case SERVING -> null;
          };
      if (reason != null) {
        if (!reason.isEmpty()) metrics.rejected(reason);
        t.network.close();
      }
    }
  }

  /** Nanoseconds a body of {@code bytes} may take beyond the grace at the minimum rate. */
  private long bodyAllowance(long bytes) {
    return TimeUnit.SECONDS.toNanos(1) * bytes / limits.minBodyBytesPerSecond();
  }

  /**
   * The slowest-sending evictable connection of {@code address}, or (null) of the address with the
   * most connections that has one. Guarded by this.
   */
  private @Nullable Tracked slowestEvictable(@Nullable InetAddress address) {
    long now = System.nanoTime();
    Tracked best = null;
    int bestCount = -1;
    double bestRate = 0;
    for (Tracked t : open.values()) {
      if (!t.evictable()
          || !t.network.isOpen()
          || (address != null && !address.equals(t.address))) {
        continue;
      }
      int count = address != null ? 0 : perAddress.getOrDefault(t.address, 0);
      double rate = t.bytesPerSecond(now);
      if (best == null
          || count > bestCount
          || (count == bestCount
              && (rate < bestRate || (rate == bestRate && t.openedNanos < best.openedNanos)))) {
        best = t;
        bestCount = count;
        bestRate = rate;
      }
    }
    return best;
  }

  /**
   * Forgets connections whose socket is already closed (by the deadline sweep, an eviction or the
   * client) but whose {@code onClosed} has not run yet: they hold no socket, so they must not fill
   * an address or the port. Without this, a burst of cuts (a slowloris wave meeting its header
   * deadline on a loaded machine) left an address "full" of dead entries, none evictable, and the
   * next client of that address was refused. Guarded by this; only when a limit is reached.
   */
  private void forgetClosed() {
    for (Tracked t : open.values()) {
      if (!t.network.isOpen()) {
        forget(t);
      }
    }
  }

  /** Guarded by this. */
  private void forget(Tracked t) {
    if (open.remove(t.network, t)) {
      perAddress.computeIfPresent(t.address, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  private @Nullable Tracked tracked(Request request) {
    EndPoint ep = request.getConnectionMetaData().getConnection().getEndPoint();
    while (ep instanceof EndPoint.Wrapper w) {
      ep = w.unwrap(); // TLS: the socket under the decrypted endpoint
    }
    return open.get(ep);
  }

  private static @Nullable InetAddress address(EndPoint ep) {
    if (!(ep instanceof SocketChannelEndPoint)) {
      return null;
    }
    SocketAddress remote = ep.getRemoteSocketAddress();
    return remote instanceof InetSocketAddress i ? i.getAddress() : null;
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
