package dev.tripline.agent.instrument;

import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.bootstrap.TriplineDispatcher;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into JDK methods. Each one brackets the method with the bridge's depth counter and
 * reports on exit, error included. Advice code may only touch bootstrap-visible types: the JDK and
 * {@code dev.tripline.bootstrap}. {@code suppress = Throwable.class}: nothing here can reach the app.
 */
final class Advices {
  private Advices() {}

  /** {@code ProcessImpl.start(String[] cmd, Map env, String dir, Redirect[], boolean)}. */
  static final class ProcessStart {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) String[] cmd, @Advice.Argument(2) String dir,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.PROCESS, cmd, dir, 0, error);
      }
    }
  }

  /** {@code FileInputStream.open(String)}. */
  static final class FileInputOpen {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) String path, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.FILE_READ, path, null, 0, error);
      }
    }
  }

  /** {@code FileOutputStream.open(String, boolean append)}. */
  static final class FileOutputOpen {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) String path, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.FILE_WRITE, path, null, 0, error);
      }
    }
  }

  /** {@code RandomAccessFile.open(String, int mode)}: mode bit 2 is O_RDWR. */
  static final class RandomAccessOpen {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) String path, @Advice.Argument(1) int mode,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, (mode & 2) != 0 ? TriplineDispatcher.FILE_WRITE : TriplineDispatcher.FILE_READ,
            path, null, 0, error);
      }
    }
  }

  /** {@code UnixChannelFactory.newFileChannel(int dfd, UnixPath, String, Set options, int)} — JDK ≤ 24. */
  static final class NioOpenWithPermissionPath {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(1) Path path, @Advice.Argument(3) Set<?> options,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        TriplineBridge.report(depth, write ? TriplineDispatcher.FILE_WRITE : TriplineDispatcher.FILE_READ,
            path.toString(), null, 0, error);
      }
    }
  }

  /** {@code UnixChannelFactory.newFileChannel(int dfd, UnixPath, Set options, int)} — JDK 25. */
  static final class NioOpen {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(1) Path path, @Advice.Argument(2) Set<?> options,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        TriplineBridge.report(depth, write ? TriplineDispatcher.FILE_WRITE : TriplineDispatcher.FILE_READ,
            path.toString(), null, 0, error);
      }
    }
  }

  /** {@code UnixChannelFactory.newAsynchronousFileChannel(UnixPath, Set options, int, ThreadPool)}. */
  static final class NioAsyncOpen {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) Path path, @Advice.Argument(1) Set<?> options,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        TriplineBridge.report(depth, write ? TriplineDispatcher.FILE_WRITE : TriplineDispatcher.FILE_READ,
            path.toString(), null, 0, error);
      }
    }
  }

  /** {@code File.delete()}: reports only a delete that happened or failed with an exception. */
  static final class FileDelete {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.This File file, @Advice.Return boolean deleted,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth) && (deleted || error != null)) {
        TriplineBridge.report(depth, TriplineDispatcher.FILE_DELETE, file.getPath(), null, 0, error);
      }
    }
  }

  /** {@code UnixFileSystemProvider.implDelete(Path, boolean failIfNotExists)}. */
  static final class NioDelete {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) Path path, @Advice.Return boolean deleted,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth) && (deleted || error != null)) {
        TriplineBridge.report(depth, TriplineDispatcher.FILE_DELETE, path.toString(), null, 0, error);
      }
    }
  }

  /** {@code File.renameTo(File)}. */
  static final class FileRename {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.This File from, @Advice.Argument(0) File to,
        @Advice.Return boolean renamed, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth) && (renamed || error != null)) {
        TriplineBridge.report(depth, TriplineDispatcher.FILE_RENAME, from.getPath(), to == null ? null : to.getPath(), 0, error);
      }
    }
  }

  /** {@code UnixFileSystemProvider.move(Path, Path, CopyOption...)}. */
  static final class NioMove {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) Path from, @Advice.Argument(1) Path to,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.FILE_RENAME, from.toString(), to.toString(), 0, error);
      }
    }
  }

  /** {@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: every TCP connect. */
  static final class NetConnect {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(2) InetAddress remote, @Advice.Argument(3) int port,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.CONNECT, remote, null, port, error);
      }
    }
  }

  /** {@code DatagramChannelImpl.send(ByteBuffer, SocketAddress)}. */
  static final class DatagramSend {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(1) SocketAddress target, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.DATAGRAM, target, null, 0, error);
      }
    }
  }

  /** {@code DatagramChannelImpl.connect(SocketAddress, boolean)}. */
  static final class DatagramConnect {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) SocketAddress target, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.DATAGRAM, target, null, 0, error);
      }
    }
  }

  /** {@code ServerSocket.bind(SocketAddress, int)} and {@code ServerSocketChannelImpl.bind(SocketAddress, int)}. */
  static final class Listen {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.This Object server, @Advice.Argument(0) SocketAddress requested,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.LISTEN, server, requested, 0, error);
      }
    }
  }

  /** {@code ServerSocket.implAccept(Socket)}: the accepted socket is connected on exit. */
  static final class SocketAccept {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) Socket socket, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth) && error == null && socket != null) {
        TriplineBridge.report(depth, TriplineDispatcher.ACCEPT, socket.getInetAddress(), null, socket.getLocalPort(), null);
      }
    }
  }

  /** {@code ServerSocketChannelImpl.accept()}: null when non-blocking and nothing was pending. */
  static final class ChannelAccept {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Return SocketChannel channel, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth) && error == null && channel != null) {
        TriplineBridge.report(depth, TriplineDispatcher.ACCEPT, channel, null, 0, null);
      }
    }
  }

  /** {@code InetAddress.getAllByName(String)}: every name resolution the application asks for. */
  static final class Dns {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(0) String host, @Advice.Return Object[] result,
        @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.DNS, host, result, 0, error);
      }
    }
  }

  /**
   * {@code sun.nio.ch.UnixDomainSockets.connect(FileDescriptor, SocketAddress|Path)} (JDK 16+). The
   * argument is typed Object: {@code UnixDomainSocketAddress} does not exist on JDK 11.
   */
  static final class UnixConnect {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(1) Object target, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.UNIX_CONNECT, target, null, 0, error);
      }
    }
  }

  /** {@code UnixDomainSockets.bind(FileDescriptor, Path)}: a client channel's bind (a server's is inside its bind hook). */
  static final class UnixBind {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int[] enter() {
      return TriplineBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter int[] depth, @Advice.Argument(1) Path path, @Advice.Thrown Throwable error) {
      if (TriplineBridge.exit(depth)) {
        TriplineBridge.report(depth, TriplineDispatcher.UNIX_LISTEN, path, null, 0, error);
      }
    }
  }
}
