package dev.tripline.bootstrap;

/**
 * Receives what the hooks saw. Lives on the bootstrap class path so that advice inlined into
 * {@code java.*} classes can call it; implemented by the agent.
 */
public interface TriplineDispatcher {
  /** target: InetAddress, port: remote port. */
  int CONNECT = 1;
  /** target: SocketAddress. */
  int DATAGRAM = 2;
  /** target: local InetAddress (may be null), port: local port. */
  int LISTEN = 3;
  /** target: remote InetAddress, port: local port. */
  int ACCEPT = 4;
  /** target: host name (String), extra: InetAddress[] or null. */
  int DNS = 5;
  /** target: path (String). */
  int FILE_READ = 6;
  int FILE_WRITE = 7;
  int FILE_DELETE = 8;
  /** target: from path, extra: to path. */
  int FILE_RENAME = 9;
  /** target: String[] command, extra: working directory or null. */
  int PROCESS = 10;
  /** Unix domain socket connect. target: java.nio.file.Path or java.net.UnixDomainSocketAddress (JDK 16+). */
  int UNIX_CONNECT = 11;
  /** Unix domain socket bind. target: Path. (A server channel's bind comes as LISTEN, its accept as ACCEPT.) */
  int UNIX_LISTEN = 12;
  /** Not reported by a hook: the agent's own code for an accepted Unix channel. */
  int UNIX_ACCEPT = 13;
  /** One more than the highest code: sizes per-kind tables. A new code goes below it. */
  int KINDS = 14;

  /**
   * One observed operation. Called on the application thread after the operation, with its error
   * (null on success). Must be cheap for a repeat and must not block.
   */
  void report(int kind, Object target, Object extra, int port, Throwable error);
}
