package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.IOException;

/**
 * {@link PluginIo} under a lambda proxy's name: {@link NativeApp} defines it as a hidden class, as
 * a payload would to have its frame skipped like a forwarding proxy's.
 */
@SuppressWarnings("TypeName") // the name is the test
public final class Spoof$$Lambda {
  private Spoof$$Lambda() {}

  /** Reads the first byte of {@code path}. */
  public static int run(String path) throws IOException {
    try (FileInputStream in = new FileInputStream(path)) {
      return in.read();
    }
  }
}
