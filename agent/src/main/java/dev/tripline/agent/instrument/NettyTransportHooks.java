package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.RETURN;
import static dev.tripline.agent.instrument.Hook.Value.THIS;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.agent.protect.EntryDecisions;
import dev.tripline.agent.record.Observations;
import dev.tripline.model.EventKind;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Netty's native transports (epoll on Linux, kqueue on macOS): their sockets are file descriptors
 * driven through JNI, so none of the JDK's socket classes sees them. Reactor Netty, and with it
 * Spring's WebClient and every WebFlux server, uses epoll by default on Linux: without these hooks
 * its connections, datagrams, listens and accepts are invisible. Connects, listens and accepts go
 * through {@code io.netty.channel.unix.Socket}, the Java side of both transports (Netty 4.1 and
 * 4.2); datagrams (and TCP Fast Open connects) through epoll's own write paths. Netty's NIO
 * transport needs nothing here: it ends in the JDK's channels, hooked already.
 */
final class NettyTransportHooks extends HookGroup {
  private static final String SOCKET = "io/netty/channel/unix/Socket";
  private static final String EPOLL = "io/netty/channel/epoll/";
  private static final int CONNECT = 0;
  private static final int DATAGRAM = 1;
  private static final int SEND_OR_FAST_OPEN = 2;
  private static final int LISTEN = 3;
  private static final int ACCEPT = 4;
  private static final int DATAGRAM_CONNECT = 5;

  /**
   * The peer of the datagram connect in progress on this thread, reported at its entry: the {@code
   * Socket.connect} inside it (the same address object) is that connect, not a TCP one. A library
   * hook has no bracket to hide the inner call with (nothing the application can reach may silence
   * anything), so the pair is told apart here.
   */
  private static final ThreadLocal<Object> DATAGRAM_PEER = new ThreadLocal<>();

  NettyTransportHooks() {
    super("net");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        // TCP connect (and a Unix domain socket's: DomainSocketAddress), epoll and kqueue alike
        // guarded: protect mode judges it at its entry, before the native connect (the bridge's guard)
        Hook.exit("netty.connect", SOCKET, "connect", "(Ljava/net/SocketAddress;)", CONNECT, arg(0), NONE, NONE)
            .guarded(Refusal.CONNECT),
        // a datagram channel's connect, at its entry: reported as UDP, the Socket.connect inside is dropped
        Hook.probe("netty.datagram.connect", EPOLL + "EpollDatagramChannel", "doConnect",
            "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;)", DATAGRAM_CONNECT, arg(0), NONE, NONE),
        // one datagram to an address (null: a connected channel's write); or, with fastOpen, a TCP Fast Open connect
        Hook.exit("netty.datagram.send", EPOLL + "AbstractEpollChannel", "doWriteOrSendBytes",
            "(Lio/netty/buffer/ByteBuf;Ljava/net/InetSocketAddress;Z)", SEND_OR_FAST_OPEN, arg(1), NONE, arg(2)),
        // several datagrams in one sendmmsg: each is added here with its recipient first
        Hook.exit("netty.datagram.send", EPOLL + "NativeDatagramPacketArray", "add0",
            "(Lio/netty/buffer/ByteBuf;IIILjava/net/InetSocketAddress;)", DATAGRAM, arg(4), NONE, NONE),
        Hook.exit("netty.listen", SOCKET, "listen", "(I)", LISTEN, THIS, NONE, NONE),
        // the peer's address comes back in the byte array; the new descriptor (or -1: nothing pending) is returned
        Hook.exit("netty.accept", SOCKET, "accept", "([B)", ACCEPT, arg(0), THIS, RETURN),
        // io_uring submits its connects and sends to the kernel's ring, past every method above: not
        // seen yet. Once an application loads it, the heartbeat says so (listed as a missing hook).
        Hook.uncovered("netty.io_uring (not covered)", "io/netty/channel/uring/IoUringSocketChannel"),
        Hook.uncovered("netty.io_uring (not covered)", "io/netty/incubator/channel/uring/IOUringSocketChannel"));
  }
  // spotless:on

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    switch (action) {
      case CONNECT:
        if (a != null && a == DATAGRAM_PEER.get()) {
          if (!(to instanceof EntryDecisions)) { // its entry decision leaves it for the exit
            DATAGRAM_PEER.remove(); // the datagram connect's own: reported as UDP already
          }
          return;
        }
        if (a instanceof InetSocketAddress) {
          InetSocketAddress peer = (InetSocketAddress) a;
          to.connect(peer.getAddress(), peer.getPort(), error);
        } else if (a != null) {
          to.unix(
              EventKind.NET_CONNECT,
              a.toString(),
              error); // DomainSocketAddress.toString() is its path
        }
        return;
      case DATAGRAM_CONNECT:
        DATAGRAM_PEER.set(a);
        if (a != null) {
          to.datagram(a, error);
        }
        return;
      case SEND_OR_FAST_OPEN:
        if (n != 0 && a instanceof InetSocketAddress) {
          InetSocketAddress peer = (InetSocketAddress) a;
          to.connect(peer.getAddress(), peer.getPort(), error);
          return;
        }
      // fall through: a datagram
      case DATAGRAM:
        if (a != null) {
          to.datagram(a, error);
        }
        return;
      case LISTEN:
        {
          SocketAddress local = Listening.localAddress(a);
          if (a != null && local instanceof InetSocketAddress) { // a is this: never null
            Listening.PORTS.put(a, ((InetSocketAddress) local).getPort());
          }
          to.listen(null, local, error);
          return;
        }
      case ACCEPT:
        if (error == null && n >= 0 && b != null) { // b is this: never null
          InetAddress peer = peer((byte[]) a);
          Integer port = Listening.PORTS.getIfPresent(b);
          if (port == null) { // listening since before the agent could see it: asked once
            SocketAddress local = Listening.localAddress(b);
            port = local instanceof InetSocketAddress ? ((InetSocketAddress) local).getPort() : -1;
            Listening.PORTS.put(b, port);
          }
          if (peer != null && port >= 0) {
            to.accept(peer, port);
          }
        }
        return;
      default:
        throw new IllegalArgumentException("netty hook action " + action);
    }
  }

  /**
   * The peer address Netty's {@code accept} wrote: a length byte, then the IPv4 address and port (8
   * bytes) or the IPv6 address, scope id and port (24 bytes), the port last, big-endian ({@code
   * NativeInetAddress.address}). Anything else is not reported.
   */
  static @Nullable InetAddress peer(byte @Nullable [] raw) {
    if (raw == null || raw.length < 9) {
      return null;
    }
    int len = raw[0];
    if ((len != 8 && len != 24) || raw.length < 1 + len) {
      return null;
    }
    byte[] ip = new byte[len == 8 ? 4 : 16];
    System.arraycopy(raw, 1, ip, 0, ip.length);
    try {
      return InetAddress.getByAddress(ip);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Built at the first Netty listen or accept: nothing of it is loaded before {@code main}. */
  private static final class Listening {
    /**
     * The local port of each listening Netty socket (weak keys, compared by identity: a closed
     * server's socket is collected).
     */
    static final Cache<Object, Integer> PORTS =
        Caffeine.newBuilder().weakKeys().maximumSize(1024).executor(Runnable::run).build();

    /**
     * {@code Socket.localAddress()}, a public method of a class the agent cannot link to: looked up
     * per class, once.
     */
    private static final ClassValue<Method> LOCAL_ADDRESS =
        new ClassValue<>() {
          @Override
          protected @Nullable Method computeValue(Class<?> type) {
            try {
              return type.getMethod("localAddress");
            } catch (NoSuchMethodException e) {
              return null;
            }
          }
        };

    static @Nullable SocketAddress localAddress(@Nullable Object socket) {
      Method m = socket == null ? null : LOCAL_ADDRESS.get(socket.getClass());
      try {
        Object local = m == null ? null : m.invoke(socket);
        return local instanceof SocketAddress ? (SocketAddress) local : null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null; // closed meanwhile
      }
    }
  }
}
