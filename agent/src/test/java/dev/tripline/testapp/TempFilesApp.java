package dev.tripline.testapp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Uploads as a web application handles them: 1000 temp files with random names, each written, read
 * and deleted; then a file of the same shape that is a symlink planted to a secret elsewhere, read
 * through. Then 500 files made new ({@code Files.createFile}: CREATE_NEW) through a symlink to the
 * uploads directory, each deleted; the link swapped to another directory, and one more made through
 * it. Usage: TempFilesApp <uploads dir under /tmp> <secret file> <link to make> <other directory>
 */
public final class TempFilesApp {
  public static void main(String[] args) throws Exception {
    Path uploads = Files.createDirectories(Path.of(args[0]));
    Path secret = Path.of(args[1]);
    Random random = new Random(42);
    for (int i = 0; i < 1000; i++) {
      Path f =
          uploads.resolve("upload-" + Long.toHexString(random.nextLong() | (1L << 60)) + ".tmp");
      Files.write(f, new byte[] {1, 2, 3});
      Files.readAllBytes(f);
      Files.delete(f);
    }
    Path planted =
        uploads.resolve("upload-" + Long.toHexString(random.nextLong() | (1L << 60)) + ".tmp");
    Files.createSymbolicLink(planted, secret);
    System.out.println("read through the link: " + Files.readAllBytes(planted).length + " bytes");
    // live from here: a file made during the agent's start-up is resolved when the start-up
    // buffer is replayed, after a swap (docs/detection.md)
    AgentReady.await();
    Path link = Files.createSymbolicLink(Path.of(args[2]), uploads);
    for (int i = 0; i < 500; i++) {
      Path made =
          Files.createFile(link.resolve("made-" + Long.toHexString(random.nextLong()) + ".tmp"));
      Files.delete(made);
    }
    Files.delete(link);
    Files.createSymbolicLink(link, Path.of(args[3]));
    Files.createFile(link.resolve("made-" + Long.toHexString(random.nextLong()) + ".tmp"));
    // CREATE_NEW without WRITE: the JDK ignores it, a plain read that follows a planted link
    Path read = Files.createSymbolicLink(Path.of(args[3], "made-read.tmp"), secret);
    try (var channel =
        Files.newByteChannel(read, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ)) {
      System.out.println("read with CREATE_NEW: " + channel.size() + " bytes");
    }
    System.out.println("TEMPFILES DONE");
  }
}
