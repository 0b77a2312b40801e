package dev.tripline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The trivial main of the start-up benchmarks: prints the wall-clock time at which main was reached
 * (the harness knows when it launched the JVM), reads the file given as its argument, and, as the
 * last thing it does, its own peak RSS and CPU ticks from /proc (a fallback for the harness where
 * {@code /usr/bin/time} is missing).
 */
public final class StartupApp {
  public static void main(String[] args) throws IOException {
    System.out.println("MAIN_AT " + System.currentTimeMillis());
    if (args.length > 0) {
      System.out.println("READ " + Files.readAllBytes(Path.of(args[0])).length);
      System.out.println("PROC " + peakRssKib() + " " + cpuTicks());
    }
  }

  /** VmHWM of /proc/self/status in KiB, -1 where there is no /proc. */
  private static long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: the harness reports n/a
    }
    return -1;
  }

  /** utime + stime of /proc/self/stat in clock ticks, -1 where there is no /proc. */
  private static long cpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f =
          stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may contain spaces
      return Long.parseLong(f[11])
          + Long.parseLong(f[12]); // fields 14 and 15, counted after "(comm) "
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
