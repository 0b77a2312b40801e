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
    try (TopologyTestDriver driver = new TopologyTestDriver(
        pipeline.topology(props, 1, () -> start.toEpochMilli() + elapsed[0]), props, start)) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(config.get(CollectorKeys.TOPIC_EVENTS),
          new StringSerializer(), new ByteArraySerializer(), start, Duration.ZERO);
      StringBuilder out = new StringBuilder();
      for (int r = 0; r <= rounds; r++) {
        long cpu = mx.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        for (int i = 0; i < BATCHES; i++) {
          in.pipeInput(keys.get(i), batches.get(i), start.plusMillis(elapsed[0]));
          if (i % 200 == 199) { driver.advanceWallClockTime(Duration.ofMillis(100)); elapsed[0] += 100; }
        }
        double us = (mx.getCurrentThreadCpuTime() - cpu) / 1e3 / BATCHES;
        out.append(String.format(Locale.ROOT, " %s%.1f", r == 0 ? "warm:" : "", us));
        System.err.printf("round %d: %.1f us cpu/batch, %.1f us wall%n", r, us, (System.nanoTime() - wall) / 1e3 / BATCHES);
      }
      System.out.println("cpu us/batch" + out);
    }
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
