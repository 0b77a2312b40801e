package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.RETURN;
import static dev.tripline.agent.instrument.Hook.Value.THIS;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import dev.tripline.model.EventKind;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Network: TCP connects, UDP sends, listens and accepts (blocking, NIO and virtual-thread sockets
 * all end in these {@code sun.nio.ch} methods on JDK 13+), and Unix domain sockets (JDK 16+).
 */
final class NetworkHooks extends HookGroup {
  private static final int CONNECT = 0;
  private static final int DATAGRAM = 1;
  private static final int LISTEN = 2;
  private static final int ACCEPT_SOCKET = 3;
  private static final int ACCEPT_CHANNEL = 4;
  private static final int UNIX_CONNECT = 5;
  private static final int UNIX_BIND = 6;
  private static final int CONNECT_SOCKET = 7;
  private static final int CONNECT_CHANNEL = 8;
  private static final int FINISH_CONNECT = 9;

  private static final String CHANNEL = "sun/nio/ch/ServerSocketChannelImpl";
  private static final String DATAGRAM_CHANNEL = "sun/nio/ch/DatagramChannelImpl";
  private static final String UNIX = "sun/nio/ch/UnixDomainSockets";
  private static final String SOCKET_CHANNEL = "sun/nio/ch/SocketChannelImpl";

  NetworkHooks() {
    super("net");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        // Where a connect's outcome is known: a Socket's connect (with or without a timeout: the
        // refusal of a non-blocking attempt surfaces here), a blocking channel's connect, and a
        // non-blocking channel's finishConnect. They report; Net.connect inside them does not (only
        // the outermost hooked call reports), and reports alone for the async channels.
        Hook.exit("net.connect.Socket", "sun/nio/ch/NioSocketImpl", "connect", "(Ljava/net/SocketAddress;I)",
            CONNECT_SOCKET, arg(0), NONE, NONE).guarded(Refusal.CONNECT),
        Hook.exit("net.connect.SocketChannel", SOCKET_CHANNEL, "connect", "(Ljava/net/SocketAddress;)",
            CONNECT_CHANNEL, arg(0), THIS, RETURN).guarded(Refusal.CONNECT),
        Hook.exit("net.connect.finish", SOCKET_CHANNEL, "finishConnect", "()", FINISH_CONNECT, THIS, NONE, RETURN),
        Hook.exit("net.connect", "sun/nio/ch/Net", "connect",
            "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)", CONNECT, arg(2), NONE, arg(3))
            .guarded(Refusal.CONNECT),
        // The native under it, for callers of sun.nio.ch internals (IMPL_LOOKUP); nested in a hooked
        // connect it reports nothing.
        Hook.nativeExit("net.connect0", "sun/nio/ch/Net", "connect0",
            "(ZLjava/io/FileDescriptor;Ljava/net/InetAddress;I)", CONNECT, arg(2), NONE, arg(3)),
        Hook.exit("net.datagram.send", DATAGRAM_CHANNEL, "send", "(Ljava/nio/ByteBuffer;Ljava/net/SocketAddress;)",
            DATAGRAM, arg(1), NONE, NONE),
        Hook.exit("net.datagram.connect", DATAGRAM_CHANNEL, "connect", "(Ljava/net/SocketAddress;Z)",
            DATAGRAM, arg(0), NONE, NONE),
        Hook.exit("net.listen.ServerSocket", "java/net/ServerSocket", "bind", "(Ljava/net/SocketAddress;I)",
            LISTEN, THIS, arg(0), NONE),
        Hook.exit("net.listen.ServerSocketChannel", CHANNEL, "bind", "(Ljava/net/SocketAddress;I)",
            LISTEN, THIS, arg(0), NONE),
        // the accepted socket is connected on exit
        Hook.exit("net.accept.ServerSocket", "java/net/ServerSocket", "implAccept", "(Ljava/net/Socket;)",
            ACCEPT_SOCKET, arg(0), NONE, NONE),
        // null when non-blocking and nothing was pending
        Hook.exit("net.accept.ServerSocketChannel", CHANNEL, "accept", "()", ACCEPT_CHANNEL, RETURN, NONE, NONE),
        // Unix domain sockets: connect has two shapes (SocketAddress, Path). A server channel's bind and
        // accept reach UnixDomainSockets inside the hooked ServerSocketChannelImpl.bind and accept, which
        // report them: only the outermost hooked call reports.
        Hook.exit("unix.connect", UNIX, "connect", "(Ljava/io/FileDescriptor;Ljava/net/SocketAddress;)",
            UNIX_CONNECT, arg(1), NONE, NONE).guarded(Refusal.CONNECT),
        Hook.exit("unix.connect", UNIX, "connect", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)",
            UNIX_CONNECT, arg(1), NONE, NONE).guarded(Refusal.CONNECT),
        Hook.exit("unix.bind", UNIX, "bind", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)",
            UNIX_BIND, arg(1), NONE, NONE));
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
        to.connect((InetAddress) a, n, error);
        return;
      case CONNECT_SOCKET:
        to.connectChannel(null, a, true, error);
        return;
      case CONNECT_CHANNEL:
        to.connectChannel(b, a, n != 0, error);
        return;
      case FINISH_CONNECT:
        to.finishConnect(a, n != 0, error);
        return;
      case DATAGRAM:
        to.datagram(a, error);
        return;
      case LISTEN:
        to.listen(a, b, error);
        return;
      case ACCEPT_SOCKET:
        Socket s = (Socket) a;
        if (error == null && s != null) {
          to.acceptSocket(s);
        }
        return;
      case ACCEPT_CHANNEL:
        if (error == null && a != null) {
          to.acceptChannel(a);
        }
        return;
      case UNIX_CONNECT:
        to.unix(EventKind.NET_CONNECT, a, error);
        return;
      case UNIX_BIND:
        to.unix(EventKind.NET_LISTEN, a, error);
        return;
      default:
        throw new IllegalArgumentException("net hook action " + action);
    }
  }
}
