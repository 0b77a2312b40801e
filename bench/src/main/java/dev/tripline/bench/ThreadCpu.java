package dev.tripline.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process and of its threads by role, between two snapshots. On a shared 2-core
 * machine the wall clock of a run swings by ×1.5 with the neighbours' builds, while the CPU a build
 * spends on the same work moves far less: CPU per event is what bounds the collector's throughput
 * on a box of its own. The broker runs in the same JVM, so the process figure includes what the
 * collector's changelog and view writes cost it.
 */
final class ThreadCpu {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final long processNanos;
  private final Map<Long, Long> byThread = new HashMap<>();
  private final Map<Long, String> names = new HashMap<>();

  private ThreadCpu() {
    processNanos = processCpuNanos();
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null) {
        long cpu = threads.getThreadCpuTime(t.getThreadId());
        if (cpu >= 0) {
          byThread.put(t.getThreadId(), cpu);
          names.put(t.getThreadId(), t.getThreadName());
        }
      }
    }
  }

  static ThreadCpu now() {
    return new ThreadCpu();
  }

  /** CPU nanoseconds of the whole process since {@code before}. */
  long processSince(ThreadCpu before) {
    return processNanos - before.processNanos;
  }

  /**
   * CPU nanoseconds since {@code before} by role (a thread's name without its ids and numbers, e.g.
   * {@code StreamThread}, {@code GlobalStreamThread}, the broker's {@code data-plane} threads); a
   * thread born after {@code before} counts from zero.
   */
  Map<String, Long> rolesSince(ThreadCpu before) {
    Map<String, Long> roles = new TreeMap<>();
    byThread.forEach(
        (id, cpu) ->
            roles.merge(
                role(names.get(id)), cpu - before.byThread.getOrDefault(id, 0L), Long::sum));
    return roles;
  }

  /** The thread's role: Kafka Streams' thread kinds by name, anything else without digits/ids. */
  static String role(String name) {
    if (name.contains("GlobalStreamThread")) {
      return "streams: global thread";
    }
    if (name.matches(".*-StreamThread-[0-9]+")) {
      return "streams: stream threads";
    }
    return name.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>")
        .replaceAll("bench-[0-9a-f]{6}", "<app>")
        .replaceAll("[0-9]+", "N");
  }

  /** Lines for the console: process CPU and the roles over 1 % of it, per event. */
  static String describe(ThreadCpu before, ThreadCpu after, long events) {
    long process = after.processSince(before);
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "  cpu: process %.2f s = %.2f µs/event; stream threads %.2f µs/event%n",
                process / 1e9,
                process / 1e3 / events,
                after.rolesSince(before).getOrDefault("streams: stream threads", 0L)
                    / 1e3
                    / events));
    after.rolesSince(before).entrySet().stream()
        .filter(e -> e.getValue() > process / 100)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "    %5.1f %%  %.3f µs/event  %s%n",
                        100.0 * e.getValue() / process,
                        e.getValue() / 1e3 / events,
                        e.getKey())));
    long inThreads = after.rolesSince(before).values().stream().mapToLong(Long::longValue).sum();
    out.append(
        String.format(
            Locale.ROOT,
            "    %5.1f %%  %.3f µs/event  outside Java threads (GC, JIT) or in threads gone since%n",
            100.0 * (process - inThreads) / process,
            (process - inThreads) / 1e3 / events));
    return out.toString();
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
