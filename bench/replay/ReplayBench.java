// Not built by Maven: see bench/replay/run.sh and docs/benchmarks.md ("Profiles kept parsed").
package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.model.*;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.*;
import java.time.*;
import java.util.*;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;

/** CollectorBench's backlog replayed through the real topology in TopologyTestDriver: thread CPU per batch. */
public final class ReplayBench {
  static final int SERVICES = 100, BATCHES = 20_000, EVENTS = 100, BEHAVIOURS = 60;

  public static void main(String[] a) throws Exception {
    int rounds = a.length > 0 ? Integer.parseInt(a[0]) : 4;
    Path dir = Files.createTempDirectory("replay");
    Instant start = Instant.now();
    long[] elapsed = {0};
    CollectorConfig config = CollectorConfig.builder()
        .set("bootstrap.servers", "127.0.0.1:9").set("application.id", "replay")
        .set("data.dir", dir.toString()).set("learning.period", "1h").build();
    DetectionPipeline pipeline = new DetectionPipeline(config, new SimpleMeterRegistry());
    Properties props = pipeline.properties();
    List<byte[]> batches = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 0; i < BATCHES; i++) {
      String service = "svc-" + (i % SERVICES);
      EventBatch.Builder b = EventBatch.newBuilder().setSchemaVersion(Schema.VERSION).setSequence(i)
          .setAgent(AgentIdentity.newBuilder().setService(service).setInstanceId(service + "-" + (i % 3)).setHost("node-" + (i % 7)));
      for (int e = 0; e < EVENTS; e++) b.addEvents(behaviour(random.nextInt(BEHAVIOURS), 1 + random.nextInt(20)));
      batches.add(b.build().toByteArray());
      keys.add(service);
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    // -Dreplay.jfr=<file>: a JFR profile (settings "profile") of the measured rounds, after warm-up
    jdk.jfr.Recording jfr = System.getProperty("replay.jfr") == null ? null
        : new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
    try (TopologyTestDriver driver = new TopologyTestDriver(
        pipeline.topology(props, 1, () -> start.toEpochMilli() + elapsed[0]), props, start)) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(config.get(CollectorKeys.TOPIC_EVENTS),
          new StringSerializer(), new ByteArraySerializer(), start, Duration.ZERO);
      StringBuilder out = new StringBuilder();
      for (int r = 0; r <= rounds; r++) {
        long cpu = mx.getCurrentThreadCpuTime();
        long alloc = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes();
        long wall = System.nanoTime();
        for (int i = 0; i < BATCHES; i++) {
          in.pipeInput(keys.get(i), batches.get(i), start.plusMillis(elapsed[0]));
          if (i % 200 == 199) { driver.advanceWallClockTime(Duration.ofMillis(100)); elapsed[0] += 100; }
        }
        double us = (mx.getCurrentThreadCpuTime() - cpu) / 1e3 / BATCHES;
        // bytes allocated per batch: deterministic where CPU time is noisy, and what GC pays for
        long kb = (((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes() - alloc) / BATCHES;
        out.append(String.format(Locale.ROOT, " %s%.1f (%,d B)", r == 0 ? "warm:" : "", us, kb));
        System.err.printf("round %d: %.1f us cpu/batch, %.1f us wall%n", r, us, (System.nanoTime() - wall) / 1e3 / BATCHES);
        if (r == 0 && jfr != null) jfr.start(); // the measured rounds only: no warm-up, no learning
      }
      if (jfr != null) jfr.dump(Path.of(System.getProperty("replay.jfr")));
      String dump = System.getProperty("replay.dump");
      if (dump != null) Files.writeString(Path.of(dump), dump(driver, start.toEpochMilli()));
      System.out.println("cpu us/batch" + out);
    }
  }

  /**
   * -Dreplay.dump=<file>: every stored profile in a canonical text form, times relative to the
   * replay's start, to compare two builds' results (diff the files).
   */
  static String dump(TopologyTestDriver driver, long t0) throws Exception {
    StringBuilder out = new StringBuilder();
    var store = driver.<String, Object>getKeyValueStore(Names.PROFILES_STORE);
    List<ServiceProfile> all = new ArrayList<>();
    try (var it = store.all()) {
      while (it.hasNext()) {
        Object v = it.next().value;
        all.add(v instanceof byte[] b ? ServiceProfile.parseFrom(b) : (ServiceProfile) v);
      }
    }
    all.sort(Comparator.comparing(ServiceProfile::getService));
    for (ServiceProfile p : all) {
      out.append(p.getService()).append(' ').append(p.getState()).append(" events=").append(p.getEventsTotal())
          .append(" created=").append(p.getCreatedMs() - t0).append(" lastNew=").append(p.getLastNewMs() - t0).append('\n');
      p.getEntriesList().stream().sorted(Comparator.comparing(ProfileEntry::getKey)).forEach(e -> out.append("  ")
          .append(e.getKey()).append(" n=").append(e.getCount()).append(" site=").append(e.getCallSite())
          .append(" owners=").append(e.getCodeOwnersList()).append(" origin=").append(e.getOrigin())
          .append(" gen=").append(e.getGeneralized()).append(" first=").append(e.getFirstSeenMs() - t0)
          .append(" last=").append(e.getLastSeenMs() - t0).append('\n'));
      new TreeMap<>(p.getInstancesMap()).forEach((id, i) -> out.append("  instance ").append(id)
          .append(" first=").append(i.getFirstSeenMs() - t0).append(" last=").append(i.getLastSeenMs() - t0)
          .append(" agent=").append(i.getAgent().toString().replace('\n', ' ')).append('\n'));
      for (RateWindow w : p.getRateHistoryList()) {
        out.append("  window ").append(w.getEndMs() - t0).append(' ').append(w.getState()).append(' ')
            .append(w.getFeaturesList()).append('\n');
      }
    }
    return out.toString();
  }

  static Event behaviour(int k, int count) {
    long now = System.currentTimeMillis();
    Event.Builder e = Event.newBuilder().setSuccess(true).setCount(count).setFirstSeenMs(now).setLastSeenMs(now)
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.orders.Repository" + (k % 5)).setMethodName("call")
            .setLineNumber(40 + k).setJarName("orders-2.3.1.jar"));
    if (k % 3 == 0) {
      return e.setKind(EventKind.NET_CONNECT).setNetwork(NetworkTarget.newBuilder().setHost("db-" + k + ".internal")
          .setIp("10.0.3." + k).setPort(5432).setProtocol("tcp")).build();
    }
    return e.setKind(k % 3 == 1 ? EventKind.FILE_READ : EventKind.FILE_WRITE).setFile(FileTarget.newBuilder()
        .setPath("/srv/orders/conf/part-" + (char) ('g' + k % 20) + "/settings-" + (char) ('g' + k / 20))).build();
  }
}
