package dev.tripline.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A call protect mode refuses, repeated: a connect to a Unix socket named {@code docker.sock} (the
 * built-in rule {@code container-socket} may block it, in every state, with no context needed).
 * With protection off the connect goes through to the listening socket; in block it is refused at
 * the hook's entry (a cached verdict, the exception built and thrown, the count).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ProtectBenchmarks {
  private Path dir;
  private ServerSocketChannel server;
  private UnixDomainSocketAddress docker;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("tripline-bench-protect");
    docker = UnixDomainSocketAddress.of(dir.resolve("docker.sock"));
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(docker, 1000);
    Thread acceptor =
        new Thread(
            () -> {
              while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                  // accepted and closed
                } catch (IOException e) {
                  return;
                }
              }
            },
            "bench-unix-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    server.close();
    Files.deleteIfExists(docker.getPath());
    Files.deleteIfExists(dir);
  }

  /** Open a Unix channel, connect to docker.sock (refused in block), close. */
  @Benchmark
  public boolean dockerSocketConnect() throws IOException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return c.connect(docker);
    } catch (java.net.ConnectException refused) {
      return false;
    }
  }
}
