package dev.tripline.agent.record;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a {@code ServerSocket} is really bound to, and what an accepted {@code Socket} really joins,
 * read from the JDK's {@code SocketImpl} behind it — never from {@code getLocalPort()} or {@code
 * getInetAddress()}, which an application subclass may override: a bind shell in a ServerSocket
 * that says it listens on 8080 is reported on the port it really bound.
 *
 * <p>{@code ServerSocket.impl}, {@code Socket.impl} and {@code SocketImpl}'s protected getters are
 * read through handles made once {@code java.net} is opened to the agent (at start-up, {@link
 * #open}); when it could not be opened, or the impl is an application's own class, the socket's
 * methods are read as before. Only for a target seen for the first time.
 */
public final class BoundAddresses {
  private BoundAddresses() {}

  private static volatile boolean opened;

  /**
   * Opens {@code java.net} to the agent's module, and in the same call {@code sun.nio.fs} (for
   * {@link UnixAttributes}) and {@code java.lang}, and exports {@code jdk.internal.access} (JDK
   * 12+; for the agent's place in the JDK's shutdown sequence, {@code LastShutdownHook}): the one
   * use of {@code inst} here.
   */
  public static void open(Instrumentation inst) {
    Set<Module> agent = Set.of(BoundAddresses.class.getModule());
    Map<String, Set<Module>> exports =
        Runtime.version().feature() >= 12 ? Map.of("jdk.internal.access", agent) : Map.of();
    // java.base by a class it has loaded already: naming ServerSocket here would load it in
    // premain, and a hooked class loaded before the weave must be retransformed on the
    // application's start-up path (loaded later, it is woven as it loads)
    Module javaBase = Object.class.getModule();
    try {
      inst.redefineModule(
          javaBase,
          Set.of(),
          exports,
          Map.of("java.net", agent, "sun.nio.fs", agent, "java.lang", agent),
          Set.of(),
          Map.of());
      opened = true;
      UnixAttributes.opened();
      return;
    } catch (RuntimeException e) {
      // no sun.nio.fs here: the file attributes are read by their map
    }
    try {
      inst.redefineModule(
          javaBase,
          Set.of(),
          exports,
          Map.of("java.net", agent, "java.lang", agent),
          Set.of(),
          Map.of());
      opened = true;
    } catch (RuntimeException e) {
      // the sockets' own methods are read then
    }
  }

  /** The handles, made on first use (a listen or an accept first seen). */
  private static final class Handles {
    static final @Nullable VarHandle SERVER_IMPL;
    static final @Nullable VarHandle SOCKET_IMPL;
    static final @Nullable MethodHandle LOCAL_PORT;
    static final @Nullable MethodHandle ADDRESS;

    static {
      VarHandle server = null;
      VarHandle socket = null;
      MethodHandle port = null;
      MethodHandle address = null;
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        server =
            MethodHandles.privateLookupIn(ServerSocket.class, l)
                .findVarHandle(ServerSocket.class, "impl", SocketImpl.class);
        socket =
            MethodHandles.privateLookupIn(Socket.class, l)
                .findVarHandle(Socket.class, "impl", SocketImpl.class);
        MethodHandles.Lookup impl = MethodHandles.privateLookupIn(SocketImpl.class, l);
        port = impl.findVirtual(SocketImpl.class, "getLocalPort", MethodType.methodType(int.class));
        address =
            impl.findVirtual(
                SocketImpl.class, "getInetAddress", MethodType.methodType(InetAddress.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        server = null; // a JDK without these members: the sockets' own methods are read
      }
      SERVER_IMPL = server;
      SOCKET_IMPL = socket;
      LOCAL_PORT = port;
      ADDRESS = address;
    }
  }

  /** The address {@code server} is bound to, from the JDK's impl; null when it cannot be read. */
  static @Nullable InetSocketAddress bound(ServerSocket server) {
    VarHandle field = opened ? Handles.SERVER_IMPL : null;
    MethodHandle getPort = Handles.LOCAL_PORT;
    MethodHandle getAddress = Handles.ADDRESS;
    if (field == null || getPort == null || getAddress == null) {
      return null;
    }
    try {
      SocketImpl impl = jdkImpl(field.get(server));
      if (impl == null) {
        return null;
      }
      int port = (int) getPort.invokeExact(impl);
      InetAddress address = (InetAddress) getAddress.invokeExact(impl);
      return port <= 0 ? null : new InetSocketAddress(address, port);
    } catch (Throwable e) {
      return null;
    }
  }

  /**
   * The JDK's impl behind an accepted {@code socket}, or null (not opened, an application's impl):
   * read it with {@link #peer} and {@link #localPort}. No allocation: accepts repeat.
   */
  static @Nullable SocketImpl impl(Socket socket) {
    VarHandle field = opened ? Handles.SOCKET_IMPL : null;
    if (field == null || Handles.LOCAL_PORT == null || Handles.ADDRESS == null) {
      return null;
    }
    try {
      return jdkImpl(field.get(socket));
    } catch (Throwable e) {
      return null;
    }
  }

  /** The peer of an accepted socket's impl (from {@link #impl}), or null. */
  static @Nullable InetAddress peer(SocketImpl impl) {
    MethodHandle getAddress = Handles.ADDRESS;
    try {
      return getAddress == null ? null : (InetAddress) getAddress.invokeExact(impl);
    } catch (Throwable e) {
      return null;
    }
  }

  /** The local port of a socket's impl (from {@link #impl}), or -1. */
  static int localPort(SocketImpl impl) {
    MethodHandle getPort = Handles.LOCAL_PORT;
    try {
      return getPort == null ? -1 : (int) getPort.invokeExact(impl);
    } catch (Throwable e) {
      return -1;
    }
  }

  /** The impl when it is the JDK's own (its methods cannot be an application's). */
  private static @Nullable SocketImpl jdkImpl(@Nullable Object impl) {
    return impl instanceof SocketImpl && impl.getClass().getClassLoader() == null
        ? (SocketImpl) impl
        : null;
  }
}
