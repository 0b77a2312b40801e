package dev.tripline.testapp;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A long-running application for the Kafka tests: every iteration writes and reads a new file (a
 * new behaviour each time: named with letters, so that no two names share a shape the agent would
 * fold, as it folds part-00017 into part-#) until {@code <dir>/stop} appears. It records its
 * progress and its slowest iteration, so a test can tell that the agent never made it wait, then
 * prints the agent's MBean.
 */
public final class LoopApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path data = Files.createDirectories(dir.resolve("data"));
    Path stop = dir.resolve("stop");
    Path progress = dir.resolve("progress");
    long i = 0;
    long slowestNanos = 0;
    while (!Files.exists(stop)) {
      long t0 = System.nanoTime();
      work(data, i);
      slowestNanos = Math.max(slowestNanos, System.nanoTime() - t0);
      if (i % 10 == 0) {
        Files.writeString(progress, Long.toString(i));
      }
      i++;
      Thread.sleep(10);
    }
    System.out.println("LOOPAPP iterations=" + i + " slowestMs=" + slowestNanos / 1_000_000);
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName agent = new ObjectName("dev.tripline:type=Agent");
    if (server.isRegistered(agent)) {
      for (String a :
          new String[] {"events.seen", "events.sent", "batches.failed", "errors", "queue.depth"}) {
        System.out.println("MBEAN " + a + "=" + server.getAttribute(agent, a));
      }
    }
  }

  static void work(Path data, long i) throws Exception {
    Path f = data.resolve(name(i));
    Files.writeString(f, "payload " + i);
    Files.readString(f);
  }

  /**
   * The file of iteration {@code i}: "f-a.txt", "f-b.txt" … "f-ba.txt": letters only, one shape per
   * name.
   */
  public static String name(long i) {
    StringBuilder b = new StringBuilder();
    do {
      b.append((char) ('a' + i % 26));
      i /= 26;
    } while (i > 0);
    return "f-" + b.reverse() + ".txt";
  }
}
