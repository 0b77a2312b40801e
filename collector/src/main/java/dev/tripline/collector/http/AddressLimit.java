package dev.tripline.collector.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.jspecify.annotations.Nullable;

/**
 * At most {@code max} open connections per client address: one client cannot take every connection
 * slot ({@code http.max.connections}) with idle sockets. Counted on the network connection only
 * (with TLS the decrypted connection on top shares its socket).
 */
final class AddressLimit implements Connection.Listener {
  private final int max;
  private final HttpMetrics metrics;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

  /** Each counted connection's address: once closed, its socket no longer tells. */
  private final ConcurrentHashMap<Connection, InetAddress> counted = new ConcurrentHashMap<>();

  AddressLimit(int max, HttpMetrics metrics) {
    this.max = max;
    this.metrics = metrics;
  }

  @Override
  public void onOpened(Connection connection) {
    InetAddress a = address(connection);
    if (a == null) {
      return;
    }
    counted.put(connection, a);
    int n = open.merge(a, 1, Integer::sum);
    if (n > max) {
      metrics.rejected(HttpMetrics.CONNECTIONS_PER_ADDRESS);
      connection.getEndPoint().close();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    InetAddress a = counted.remove(connection);
    if (a != null) {
      open.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  private static @Nullable InetAddress address(Connection c) {
    if (!(c.getEndPoint() instanceof SocketChannelEndPoint)) {
      return null;
    }
    SocketAddress remote = c.getEndPoint().getRemoteSocketAddress();
    return remote instanceof InetSocketAddress i ? i.getAddress() : null;
  }
}
