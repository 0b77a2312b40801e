package dev.tripline.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service for the latency benchmark: it reads its config until told to go, then reads one new
 * file every 50 ms, each a behaviour its profile has never seen (names of letters only, so that
 * normalisation keeps them apart).
 */
public final class LatencyApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    Path config = dir.resolve("app.conf");
    Files.writeString(config, "mode=normal");
    while (!Files.exists(dir.resolve("go"))) {
      Files.readString(config);
      Thread.sleep(100);
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int i = 0; i < count; i++) {
      Path f = data.resolve("report-" + letters(i));
      Files.writeString(f, "x");
      Thread.sleep(50);
    }
    System.out.println("LATENCY_APP_DONE " + count);
  }

  /** 0 → "ga", 1 → "gb" …: letters beyond hex, never digits. */
  static String letters(int i) {
    StringBuilder b = new StringBuilder();
    do {
      b.append((char) ('g' + i % 20));
      i /= 20;
    } while (i > 0);
    return b.append('x').toString();
  }
}
