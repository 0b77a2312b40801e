package dev.tripline.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Launching the benchmark's own classes in fresh JVMs, with or without the agent. */
final class Forked {
  private Forked() {}

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static List<String> command(List<String> jvmArgs, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs to completion; returns the first output line starting with {@code prefix}, without it. */
  static String valueOf(List<String> cmd, String prefix) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String value = null;
    StringBuilder all = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        all.append(line).append('\n');
        if (value == null && line.startsWith(prefix)) {
          value = line.substring(prefix.length()).trim();
        }
      }
    }
    if (p.waitFor() != 0 || value == null) {
      throw new IllegalStateException("forked JVM failed (" + p.exitValue() + "): " + all);
    }
    return value;
  }

  static double median(List<? extends Number> values) {
    List<Double> sorted = new ArrayList<>();
    values.forEach(v -> sorted.add(v.doubleValue()));
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double percentile(List<Long> values, double p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
