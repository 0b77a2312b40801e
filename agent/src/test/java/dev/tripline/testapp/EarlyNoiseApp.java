package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * Noise before {@code main}, then what matters: a static initializer does 9 000 failed opens of
 * distinct missing files and 3 000 reads of one file, then reads a credential-like file. The
 * agent's start-up buffer must not let the noise push the credential read out. Paths from system
 * properties: {@code noise.dir} (missing files are invented there), {@code noise.file}, {@code
 * secret.file}.
 */
public final class EarlyNoiseApp {
  static final int FAILED = 9_000;
  static final int REPEATS = 3_000;
  static int missing;

  static {
    String dir = System.getProperty("noise.dir");
    for (int i = 0; i < FAILED; i++) {
      try (FileInputStream in = new FileInputStream(dir + "/missing-" + i + ".properties")) {
        in.read();
      } catch (FileNotFoundException expected) {
        missing++;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      for (int i = 0; i < REPEATS; i++) {
        try (FileInputStream in = new FileInputStream(System.getProperty("noise.file"))) {
          in.read();
        }
      }
      try (FileInputStream in = new FileInputStream(System.getProperty("secret.file"))) {
        in.read();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void main(String[] args) {
    System.out.println("EARLY DONE " + missing);
  }
}
