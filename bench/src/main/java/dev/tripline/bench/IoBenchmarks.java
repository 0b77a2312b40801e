package dev.tripline.bench;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * The application-side loops the agent hooks, once warm: every iteration is a repeat the agent
 * folds into a count, which is the agent's steady state in a real service. {@link AgentOverhead}
 * runs each with and without the agent, side by side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IoBenchmarks {
  private Path file;
  private ServerSocket server;
  private Thread acceptor;
  private final byte[] buffer = new byte[4096];

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = Files.createTempFile("tripline-bench", ".conf");
    Files.write(file, new byte[4096]);
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  s.getOutputStream()
                      .write(
                          1); // one byte back: the client waits for it, so connects never pile up
                } catch (IOException e) {
                  return;
                }
              }
            },
            "bench-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    server.close();
    Files.deleteIfExists(file);
  }

  /** FileInputStream open + 4 KiB read + close. */
  @Benchmark
  public int fileOpenReadClose() throws IOException {
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      return in.read(buffer);
    }
  }

  /**
   * A loopback TCP connect, one byte from the server, close. The server accepts in the same JVM, so
   * the connect and the accept hooks both fire on every iteration.
   */
  @Benchmark
  public int loopbackConnect() throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      s.setSoLinger(true, 0); // reset on close: no TIME_WAIT pile-up to add noise across a long run
      return s.getInputStream().read();
    }
  }

  /** Spawning {@code /bin/true} and waiting for it. */
  @Benchmark
  public int processSpawn() throws Exception {
    return new ProcessBuilder("/bin/true").start().waitFor();
  }
}
