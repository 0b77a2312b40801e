package dev.tripline.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
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
 * Loops where every operation is a behaviour the agent has not seen (a distinct file, a distinct
 * destination), unlike {@link IoBenchmarks}' repeats, and the executor hand-off of issue 15. {@link
 * AgentOverhead} runs each with and without the agent, side by side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NewBehaviourBenchmarks {
  private static final Runnable NO_OP = () -> {};
  private final byte[] content = new byte[512];
  private Path dir;
  private ServerSocket server;
  private int nextAddress;
  private ExecutorService pool;
  private ThreadPoolExecutor boundedPool;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("tripline-bench-new");
    // 0.0.0.0: reachable on every address of 127/8, which Linux routes to loopback, so destinations
    // never run out
    server = new ServerSocket();
    server.bind(new InetSocketAddress("0.0.0.0", 0), 200);
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  s.getOutputStream().write(1);
                } catch (IOException e) {
                  return;
                }
              }
            },
            "bench-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    nextAddress = (1 << 16) + 1; // 127.1.0.1: never 127.0.0.1, which other loops use
    pool = Executors.newFixedThreadPool(2);
    // without waiting: a full queue makes the submitter wait for room, so the queue stays bounded
    boundedPool =
        new ThreadPoolExecutor(
            2,
            2,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024),
            (task, executor) -> {
              try {
                executor.getQueue().put(task);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException(e);
              }
            });
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, InterruptedException {
    server.close();
    pool.shutdown();
    boundedPool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
    boundedPool.awaitTermination(5, TimeUnit.SECONDS);
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** A distinct temp file each time: created, 512 bytes written, deleted. */
  @Benchmark
  public void distinctTempFile() throws IOException {
    Path file = Files.createTempFile(dir, "t", ".tmp");
    Files.write(file, content);
    Files.delete(file);
  }

  /**
   * A connection to a distinct loopback address each time (127.1.0.1, 127.1.0.2, …), one byte back,
   * reset on close.
   */
  @Benchmark
  public int distinctDestination() throws IOException {
    int n = nextAddress++;
    if ((n & 0xff) == 0 || (n & 0xff) == 0xff) { // skip .0 and .255
      n = nextAddress++;
    }
    if (n >= 0xff_ffff) {
      nextAddress = (1 << 16) + 1;
    }
    InetAddress to =
        InetAddress.getByAddress(new byte[] {127, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    try (Socket s = new Socket(to, server.getLocalPort())) {
      s.setSoLinger(true, 0);
      return s.getInputStream().read();
    }
  }

  /** Issue 15's hand-off: a no-op task submitted to a fixed pool, and waited for. */
  @Benchmark
  public Object executorSubmitAndWait() throws InterruptedException, ExecutionException {
    return pool.submit(NO_OP).get();
  }

  /** The same without waiting: the submitter's cost alone, bounded by a 1024-task queue. */
  @Benchmark
  public void executorSubmitNoWait() {
    boundedPool.execute(NO_OP);
  }
}
