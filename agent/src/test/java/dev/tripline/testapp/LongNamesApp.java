package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile sizes: a 1 MB file name and a 1 MB argv, then an ordinary write. Without caps on the
 * agent's strings their events would not fit in a Kafka record. Usage: LongNamesApp <work dir>
 */
public final class LongNamesApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    longPathRead(dir);
    longArgvSpawn();
    Files.writeString(dir.resolve("after.txt"), "after");
    System.out.println("LONGNAMES DONE");
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

  /** 300 arguments of 3000 characters (~0.9 MB, below the kernel's 2 MB ARG_MAX), the last one short. */
  static void longArgvSpawn() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/bin/true"));
    for (int i = 0; i < 300; i++) {
      cmd.add("x".repeat(2_990) + String.format("%010d", i));
    }
    cmd.add("--last");
    new ProcessBuilder(cmd).start().waitFor();
  }
}
