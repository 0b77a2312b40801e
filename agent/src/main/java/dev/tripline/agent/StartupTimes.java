package dev.tripline.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Start-up cost by phase, in milliseconds: printed once with {@code -Dtripline.debug=true} as
 * {@code [tripline] startup ms: bridge=1 weave=20 premain=30 pipeline=150} (the benchmark parses
 * that line) and sent in every heartbeat ({@code AgentHealth.startup_ms}).
 */
final class StartupTimes {
  private final boolean print;
  private final Map<String, Long> phases = new LinkedHashMap<>();
  private boolean printed;

  StartupTimes(boolean print) {
    this.print = print;
  }

  synchronized void put(String phase, long nanos) {
    phases.put(phase, nanos / 1_000_000);
  }

  synchronized Map<String, Long> snapshot() {
    return new LinkedHashMap<>(phases);
  }

  /** Prints the line once, when the last phase is known (or at exit, with what is known). */
  synchronized void printOnce() {
    if (!print || printed) {
      return;
    }
    printed = true;
    StringBuilder b = new StringBuilder("[tripline] startup ms:");
    for (Map.Entry<String, Long> e : phases.entrySet()) {
      b.append(' ').append(e.getKey()).append('=').append(e.getValue());
    }
    System.err.println(b);
  }
}
