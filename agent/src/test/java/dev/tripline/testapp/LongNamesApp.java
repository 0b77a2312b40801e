package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile sizes: a 1 MB file name, a 1 MB argv and 500 long names seen twice, then an ordinary
 * write. Without caps on the agent's strings their events would not fit in a Kafka record. Usage:
 * LongNamesApp <work dir>
 */
public final class LongNamesApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    awaitPipeline();
    longPathRead(dir);
    longArgvSpawn();
    manyLongNamesTwice(dir);
    Files.writeString(dir.resolve("after.txt"), "after");
    System.out.println("LONGNAMES DONE");
  }

  /**
   * Waits until the agent's pipeline runs (it registers the agent's MBean): on a loaded machine it
   * started seconds after this short program would have exited, and what it recorded was lost with
   * the JVM instead of sent. A running service never races its own exit like that.
   */
  static void awaitPipeline() throws Exception {
    javax.management.MBeanServer server =
        java.lang.management.ManagementFactory.getPlatformMBeanServer();
    javax.management.ObjectName agent = new javax.management.ObjectName("dev.tripline:type=Agent");
    long deadline = System.nanoTime() + 150_000_000_000L; // a loaded machine: generous
    while (!server.isRegistered(agent) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    System.out.println("agent pipeline up: " + server.isRegistered(agent));
  }

  static void longPathRead(Path dir) throws IOException {
    StringBuilder name = new StringBuilder(dir.toString()).append('/');
    for (int i = 0; i < 1_000_000; i++) {
      name.append((char) ('a' + i % 26));
    }
    try (FileInputStream in = new FileInputStream(name.append("/secret.txt").toString())) {
      throw new IllegalStateException("a 1 MB file name opened");
    } catch (FileNotFoundException expected) {
      System.out.println("long name refused as expected");
    }
  }

  /**
   * 500 distinct ~3 000-character paths, each opened twice: the repeats are folded into one flush
   * of ~1.5 MB — more than one Kafka record holds, so the agent must split it.
   */
  static void manyLongNamesTwice(Path dir) {
    String segment = "m".repeat(240);
    StringBuilder base = new StringBuilder(dir.toString());
    for (int i = 0; i < 12; i++) {
      base.append('/').append(segment);
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 500; i++) {
        try (FileInputStream in = new FileInputStream(base + "/many-" + i + ".txt")) {
          throw new IllegalStateException("opened a file that does not exist");
        } catch (IOException expected) {
          // the open is the point
        }
      }
    }
  }

  /**
   * 300 arguments of 3000 characters (~0.9 MB, below the kernel's 2 MB ARG_MAX), the last one
   * short.
   */
  static void longArgvSpawn() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/bin/true"));
    for (int i = 0; i < 300; i++) {
      cmd.add("x".repeat(2_990) + String.format("%010d", i));
    }
    cmd.add("--last");
    new ProcessBuilder(cmd).start().waitFor();
  }
}
