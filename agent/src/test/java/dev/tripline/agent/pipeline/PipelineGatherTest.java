package dev.tripline.agent.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.health.Coverage;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The pipeline thread with a real recorder and a sink that keeps what it is handed: a steady stream
 * of first sights leaves in few batches (each a Kafka record, a produce request's share and the
 * broker's validation), and none is lost or repeated.
 */
class PipelineGatherTest {
  private static final int DESTINATIONS = 400;

  @Test
  void aSteadyStreamOfFirstSightsLeavesInFewBatchesAndWhole() throws Exception {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", "gather-test");
    p.setProperty("tripline.sink", "none");
    AgentConfig config = AgentConfig.load(p, Map.of());
    AgentStats stats = new AgentStats();
    EventRecorder recorder = new EventRecorder(config, stats, System::currentTimeMillis);
    List<EventBatch> batches = new CopyOnWriteArrayList<>();
    EventSink sink =
        new EventSink() {
          @Override
          public void publish(EventBatch batch, Consumer<EventBatch> onLost) {
            batches.add(batch);
          }

          @Override
          public void close() {}
        };
    Pipeline pipeline =
        new Pipeline(
            config,
            recorder,
            stats,
            () -> sink,
            AgentIdentity::getDefaultInstance,
            new Coverage(config.warnings(), List::of, List::of, () -> {}),
            () -> true,
            () -> false,
            () -> false);
    Thread thread = new Thread(pipeline, "tripline-pipeline-test");
    thread.setDaemon(true);
    thread.start();
    long t0 = System.nanoTime();
    long elapsedMs;
    try {
      // about two new destinations a millisecond: a 2 ms wait after each send made a batch of ~4
      for (int i = 0; i < DESTINATIONS; i++) {
        byte[] ip = {10, 7, (byte) (i >> 8), (byte) i};
        recorder.observations().connect(InetAddress.getByAddress(ip), 443, null);
        LockSupport.parkNanos(500_000);
      }
      await().atMost(Patience.WAIT).until(() -> connects(batches) >= DESTINATIONS);
      elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    } finally {
      pipeline.stop(thread, Patience.WAIT.toMillis());
    }
    assertEquals(DESTINATIONS, connects(batches), "each first sight sent once");
    long carrying = batches.stream().filter(b -> firstConnects(b) > 0).count();
    // Each send after the first waits out a 25 ms gathering (or a full batch, 500: never here), so
    // at most one batch per 25 ms of the run, however slowly a loaded machine runs this thread; a
    // 2 ms wait sent one per ~2 ms (>= 100 batches). 20 ms: the clock's slack.
    long bound = elapsedMs / 20 + 2;
    assertTrue(
        carrying <= bound,
        carrying
            + " batches carried the first sights in "
            + elapsedMs
            + " ms (at most "
            + bound
            + ")");
  }

  private static long connects(List<EventBatch> batches) {
    return batches.stream().mapToLong(PipelineGatherTest::firstConnects).sum();
  }

  private static long firstConnects(EventBatch b) {
    long n = 0;
    for (Event e : b.getEventsList()) {
      if (e.getKind() == EventKind.NET_CONNECT && e.getFirstOccurrence()) {
        n++;
      }
    }
    return n;
  }
}
