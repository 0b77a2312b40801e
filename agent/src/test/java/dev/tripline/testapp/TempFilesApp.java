package dev.tripline.testapp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Uploads as a web application handles them: 1000 temp files with random names, each written, read
 * and deleted; then a file of the same shape that is a symlink planted to a secret elsewhere, read
 * through. Usage: TempFilesApp <uploads dir under /tmp> <secret file>
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
    System.out.println("TEMPFILES DONE");
  }
}
