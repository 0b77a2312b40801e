package dev.tripline.bench;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A busy service's worth of distinct behaviours, then the heap in use after a full GC: run with and
 * without the agent, the difference is what the agent keeps. 20 000 distinct files fill the agent's
 * per-kind cache (4 096 by default) several times over, so this is its bound, not a lucky case.
 */
public final class HeapApp {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("tripline-heap");
    for (int i = 0; i < 20_000; i++) {
      Path f = dir.resolve("file-" + i);
      Files.write(f, new byte[16]);
      Files.readAllBytes(f);
      Files.delete(f);
    }
    try (ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    server.accept().close();
                  }
                } catch (Exception e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      for (int i = 0; i < 2_000; i++) {
        new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()).close();
      }
    }
    for (int i = 0; i < 50; i++) {
      new ProcessBuilder("/bin/echo", "run-" + i).start().waitFor();
    }
    Files.delete(dir);
    Thread.sleep(3_000); // the agent flushes what it folded
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    System.out.println("HEAP_USED " + used);
  }
}
