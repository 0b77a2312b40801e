package dev.tripline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One launch of a JVM as a whole process, timed from the harness: the wall clock just before {@code
 * start()}, the process's exit, and — through {@code /usr/bin/time} where it exists — its CPU time
 * and peak RSS over its whole life, shutdown hooks included (what the exit of an agent that flushes
 * costs). Output goes to files, so no pipe reader competes with the child for the CPU.
 */
final class WholeProcess {
  static final Path TIME = Path.of("/usr/bin/time");

  /** What one launch measured; -1 where a figure is not available. */
  static final class Result {
    long launchedAtMs;
    long toExitMs;
    double cpuSeconds = -1;
    long peakRssKib = -1;
    int exitCode;
    List<String> stdout = List.of();
    List<String> stderr = List.of();

    /** The first stdout line starting with {@code prefix}, without it; null if none. */
    @Nullable String value(String prefix) {
      for (String line : stdout) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      return null;
    }
  }

  private WholeProcess() {}

  static boolean timeAvailable() {
    return Files.isExecutable(TIME);
  }

  /** Runs {@code command} (java first) to completion, within {@code timeoutSeconds}. */
  static Result run(List<String> command, Path workDir, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    Path usage = Files.createTempFile(workDir, "time", ".txt");
    List<String> cmd = new ArrayList<>();
    if (timeAvailable()) {
      cmd.addAll(List.of(TIME.toString(), "-f", "%U %S %M", "-o", usage.toString()));
    }
    cmd.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    Result r = new Result();
    r.launchedAtMs = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException("no exit within " + timeoutSeconds + " s: " + command);
    }
    r.toExitMs = (System.nanoTime() - t0) / 1_000_000;
    r.exitCode = p.exitValue();
    r.stdout = Files.readAllLines(out, StandardCharsets.UTF_8);
    r.stderr = Files.readAllLines(err, StandardCharsets.UTF_8);
    if (timeAvailable()) {
      List<String> lines =
          Files.readAllLines(usage); // "Command exited with non-zero status N" may come first
      if (!lines.isEmpty()) {
        String[] f = lines.get(lines.size() - 1).trim().split(" ");
        r.cpuSeconds = Double.parseDouble(f[0]) + Double.parseDouble(f[1]);
        r.peakRssKib = Long.parseLong(f[2]);
      }
    }
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    Files.deleteIfExists(usage);
    return r;
  }

  static String java(Path jdkHome) {
    return jdkHome.resolve("bin").resolve("java").toString();
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
