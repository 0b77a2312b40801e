package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.IOException;

/**
 * Code that does I/O, loaded by {@link NativeApp} from places other than the class path: a jar
 * dropped in at run time, bytes without a code source, a hidden class.
 */
public final class PluginIo {
  private PluginIo() {}

  /** Reads the first byte of {@code path}. */
  public static int run(String path) throws IOException {
    try (FileInputStream in = new FileInputStream(path)) {
      return in.read();
    }
  }
}
