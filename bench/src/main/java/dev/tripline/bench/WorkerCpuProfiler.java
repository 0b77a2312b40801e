package dev.tripline.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler (runs in the forked JVM): the CPU time the benchmark's worker threads spent per
 * operation in each measured iteration, as the secondary result {@value #LABEL} (ns/op). On a
 * shared 2-core machine a neighbour's build stretches the wall clock of an iteration (the worker
 * waits for a core) far more than the CPU the worker spends on the same operations, so the CPU per
 * operation tells a few per cent apart where the wall clock cannot. Divided by every operation the
 * workers ran in the iteration, the untimed ones JMH runs around the timed window included.
 */
public final class WorkerCpuProfiler implements InternalProfiler {
  static final String LABEL = "worker.cpu";

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private Map<Long, Long> before = new HashMap<>();

  @Override
  public String getDescription() {
    return "CPU time of the benchmark's worker threads per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    before = workers();
  }

  @Override
  public List<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    long ops = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
    if (ops <= 0) {
      return List.of();
    }
    long nanos = 0;
    for (Map.Entry<Long, Long> w : workers().entrySet()) {
      nanos += w.getValue() - before.getOrDefault(w.getKey(), 0L); // a new worker counts from 0
    }
    return List.of(new ScalarResult(LABEL, (double) nanos / ops, "ns/op", AggregationPolicy.AVG));
  }

  /** CPU nanoseconds of every live JMH worker thread, by id. */
  private Map<Long, Long> workers() {
    Map<Long, Long> cpu = new HashMap<>();
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().contains("jmh-worker")) {
        long ns = threads.getThreadCpuTime(t.getThreadId());
        if (ns >= 0) {
          cpu.put(t.getThreadId(), ns);
        }
      }
    }
    return cpu;
  }
}
