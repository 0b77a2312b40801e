package dev.tripline.agent.record;

import dev.tripline.model.EventKind;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * What the hook groups report, typed: the recorder's side of {@code instrument.HookGroup#observe}.
 * Called on the application's thread; a repeat must cost a cache lookup and an increment.
 */
public interface Observations {
  /** A TCP connect to {@code remote:port} (the peer as the application named it, if by name). */
  void connect(@Nullable InetAddress remote, int port, @Nullable Throwable error);

  /**
   * A Socket's or SocketChannel's connect to {@code remote} (the SocketAddress asked for) returned
   * or failed: {@code connected}, failed ({@code error}), or, for a non-blocking {@code channel},
   * pending: then {@link #finishConnect} tells the outcome.
   */
  void connectChannel(
      @Nullable Object channel,
      @Nullable Object remote,
      boolean connected,
      @Nullable Throwable error);

  /** A non-blocking channel's finishConnect: connected, still pending, or failed. */
  void finishConnect(@Nullable Object channel, boolean connected, @Nullable Throwable error);

  /** A UDP send or connect; {@code target} is the SocketAddress given. */
  void datagram(@Nullable Object target, @Nullable Throwable error);

  /**
   * A bind of a server socket or channel; {@code requested} is the address asked for (used when the
   * bind failed).
   */
  void listen(@Nullable Object server, @Nullable Object requested, @Nullable Throwable error);

  /** A connection accepted from {@code remote} on {@code localPort}. */
  void accept(@Nullable InetAddress remote, int localPort);

  /**
   * A Socket accepted by a ServerSocket (perhaps an application's subclass of either): its peer and
   * local port are read from the JDK's impl where possible.
   */
  void acceptSocket(java.net.@Nullable Socket socket);

  /** A SocketChannel accepted by a server channel: TCP or Unix domain. */
  void acceptChannel(@Nullable Object channel);

  /** A name resolution and the addresses it gave (null when it failed). */
  void dns(@Nullable String host, Object @Nullable [] addresses, @Nullable Throwable error);

  /**
   * A reverse lookup of {@code address} and the name it gave ({@code InetAddress.getHostName()} of
   * an address-only InetAddress: a PTR query). The JDK returns the address itself when none is
   * found.
   */
  void reverseDns(@Nullable InetAddress address, @Nullable String name, @Nullable Throwable error);

  /**
   * A query the JNDI DNS provider sends itself ({@code com.sun.jndi.dns.DnsClient}, not through
   * InetAddress): {@code name} is its DnsName.
   */
  void jndiDns(@Nullable Object name);

  /**
   * An open for reading or writing, or a delete ({@code kind} FILE_READ, FILE_WRITE or
   * FILE_DELETE).
   */
  void file(EventKind kind, @Nullable String path, @Nullable Throwable error);

  /**
   * A file made by an open that succeeded with {@code CREATE_NEW} ({@code O_CREAT|O_EXCL}): a
   * FILE_WRITE of a file that did not exist, whose last element the kernel refused to follow were
   * it a link — what a recorder may skip looking at again.
   */
  default void created(@Nullable String path) {
    file(EventKind.FILE_WRITE, path, null);
  }

  /**
   * A directory listed ({@code File.list}/{@code listFiles}, {@code Files.list}/{@code walk}/{@code
   * newDirectoryStream}): a FILE_READ of the directory, marked as one.
   */
  void listing(@Nullable String path, @Nullable Throwable error);

  void rename(@Nullable String from, @Nullable String to, @Nullable Throwable error);

  void process(String @Nullable [] argv, @Nullable String workingDir, @Nullable Throwable error);

  /**
   * The environment ({@code Map<String, String>}) of the child a spawn on this thread is about to
   * start, when the application changed it; the spawn reports next ({@link #process}).
   */
  void spawnEnvironment(@Nullable Object environment);

  /**
   * A native library loaded from {@code path} for {@code forClass} (the class whose loader it is
   * bound to; null when not known); {@code error} when the load threw.
   */
  void nativeLoad(@Nullable String path, @Nullable Class<?> forClass, @Nullable Throwable error);

  /**
   * A Unix domain socket connect or bind ({@code kind} NET_CONNECT or NET_LISTEN); target: its path
   * as a Path, UnixDomainSocketAddress or String.
   */
  void unix(EventKind kind, @Nullable Object target, @Nullable Throwable error);

  /**
   * Application code asked the JDK HttpClient for {@code request} (java.net.http.HttpRequest): a
   * hand-off.
   */
  void httpRequest(@Nullable Object request);

  /**
   * Code asked a client on Netty's event loops for {@code target}: a java.net.URI or String URI
   * (WebClient, Reactor Netty) or a SocketAddress (Netty's Bootstrap): a hand-off.
   */
  void eventLoopRequest(@Nullable Object target);

  /**
   * A server starts ({@code start}) or ends handling {@code request} on this thread (a servlet
   * request, an {@code HttpExchange}, a Reactor Netty request): events recorded in between carry
   * it.
   */
  void request(@Nullable Object request, boolean start);

  /**
   * A framework matched the request being handled on this thread to a route: {@code exchange} holds
   * the route template (WebFlux's ServerWebExchange).
   */
  void requestRoute(@Nullable Object exchange);

  /**
   * {@code task} (a Runnable, a fork-join task, a Thread) is handed to another thread by this one:
   * it carries the request this thread serves, if any. Context, never a call protection refuses.
   */
  default void taskHandedOver(@Nullable Object task) {}

  /** A handed-over {@code task} starts ({@code start}) or ends on this thread, bracketed. */
  default void taskRuns(@Nullable Object task, boolean start) {}

  /**
   * An executor's pooled thread starts ({@code start}) or finished {@code task}: not bracketed (an
   * executor's subclass may skip either), so each start replaces the last.
   */
  default void executorTask(@Nullable Object task, boolean start) {}

  /**
   * The JVM is about to halt ({@code Runtime.halt}, or the end of {@code System.exit} once the
   * shutdown hooks ran): no shutdown hook runs after a halt, so what is still queued leaves now,
   * within {@code halt.wait}, or never.
   */
  default void halting() {}
}
