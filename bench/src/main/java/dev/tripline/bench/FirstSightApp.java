package dev.tripline.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code FirstSightApp <file|destination> <seconds> [dir]}: the loops of {@link
 * NewBehaviourBenchmarks} (a distinct temp file created, written and deleted; a connection to a
 * distinct loopback address), timed by the CPU time of the looping thread rather than the wall
 * clock. On a machine whose load average is many times its cores a thread waits for a core far
 * longer than it runs, and the wall clock measures the queue; the thread's own CPU time (user and
 * kernel, syscalls included) is what the agent adds to it. One second of warm-up, then {@code
 * seconds} one-second rounds; prints {@code CPU_US_PER_OP <median over the rounds>}. For {@code
 * file} the temp directory is {@code dir} (default: java.io.tmpdir).
 */
public final class FirstSightApp {
  public static void main(String[] args) throws Exception {
    boolean file = args[0].equals("file");
    int seconds = Integer.parseInt(args[1]);
    Path dir =
        Files.createTempDirectory(
            Path.of(args.length > 2 ? args[2] : System.getProperty("java.io.tmpdir")),
            "tripline-first-sight");
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress("0.0.0.0", 0), 200);
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  s.getOutputStream().write(1);
                } catch (java.io.IOException e) {
                  return;
                }
              }
            },
            "first-sight-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    byte[] content = new byte[512];
    int[] next = {(1 << 16) + 1};
    double[] perOp = new double[seconds];
    for (int round = -1; round < seconds; round++) {
      long end = System.nanoTime() + 1_000_000_000L;
      long cpu0 = mx.getCurrentThreadCpuTime();
      int n = 0;
      while (System.nanoTime() < end) {
        if (file) {
          Path f = Files.createTempFile(dir, "t", ".tmp");
          Files.write(f, content);
          Files.delete(f);
        } else {
          connect(next, server.getLocalPort());
        }
        n++;
      }
      if (round >= 0) {
        perOp[round] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
      }
    }
    server.close();
    Files.deleteIfExists(dir);
    java.util.Arrays.sort(perOp);
    System.out.println("CPU_US_PER_OP " + perOp[seconds / 2]);
  }

  private static void connect(int[] next, int port) throws java.io.IOException {
    int n = next[0]++;
    if ((n & 0xff) == 0 || (n & 0xff) == 0xff) {
      n = next[0]++;
    }
    if (n >= 0xff_ffff) {
      next[0] = (1 << 16) + 1;
    }
    InetAddress to =
        InetAddress.getByAddress(new byte[] {127, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    try (Socket s = new Socket(to, port)) {
      s.setSoLinger(true, 0);
      s.getInputStream().read();
    }
  }
}
