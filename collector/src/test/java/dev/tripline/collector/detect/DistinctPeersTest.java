package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.kind.RateFeature;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import java.lang.reflect.Field;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DistinctPeersTest {

  private static Event connect(String ip, int port) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setNetwork(NetworkTarget.newBuilder().setIp(ip).setPort(port))
        .build();
  }

  private static String ip(int i) {
    return "10." + (i >>> 16 & 255) + "." + (i >>> 8 & 255) + "." + (i & 255);
  }

  @Test
  void belowTheBoundPeersAreCountedExactlyByIpAndPort() {
    RateModel.Window w = new RateModel.Window();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 300; i++) {
        w.add(connect(ip(i), 443));
        w.add(connect(ip(i), 8443)); // another port of the same IP is another peer
      }
    }
    double[] f = w.features();
    assertEquals(600, f[RateFeature.DISTINCT_PEERS.ordinal()]);
    assertEquals(1800, f[RateFeature.CONNECTS.ordinal()]);
    assertEquals(0, w.peersEstimated());
  }

  @Test
  void aFloodOfPeersKeepsBoundedMemoryAndStillCountsNearTheTruth() throws Exception {
    RateModel.Window w = new RateModel.Window();
    int distinct = 50_000;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < distinct; i++) {
        w.add(connect(ip(i), 1 + i % 3));
      }
    }
    Field exact = DistinctPeers.class.getDeclaredField("exact");
    exact.setAccessible(true);
    Field peers = RateModel.Window.class.getDeclaredField("peers");
    peers.setAccessible(true);
    Set<?> kept = (Set<?>) exact.get(peers.get(w));
    assertEquals(DistinctPeers.MAX_EXACT, kept.size(), "memory stays at the bound");
    double counted = w.features()[RateFeature.DISTINCT_PEERS.ordinal()];
    assertTrue(
        Math.abs(counted - distinct) < distinct * 0.05,
        "within 5% of " + distinct + ": " + counted);
    // every connect past the exact bound to a peer not kept exactly is counted as estimated
    assertEquals(2L * (distinct - DistinctPeers.MAX_EXACT), w.peersEstimated());
  }

  @Test
  void aSaturatedEstimateNeverFallsBelowTheBound() {
    DistinctPeers p = new DistinctPeers();
    for (int i = 0; i < 2_000_000; i++) {
      p.add(ip(i), 80);
    }
    assertTrue(p.count() > 300_000, "a saturated window says 'very many': " + p.count());
  }

  @Test
  void theEstimatedConnectsReachTheMeterWhenTheWindowCloses() {
    long[] reported = {0};
    Detection.Meter meter =
        new Detection.Meter() {
          @Override
          public void generalized(String family) {}

          @Override
          public void overflow(String family, long n) {}

          @Override
          public void modelError() {}

          @Override
          public void peersEstimated(long connects) {
            reported[0] += connects;
          }
        };
    long t0 = 1_000_000;
    Detection detection = new Detection(DetectionTest.settings(), 3, meter, t0);
    DetectionTest.MapState state = new DetectionTest.MapState();
    Event[] flood = new Event[DistinctPeers.MAX_EXACT + 10];
    for (int i = 0; i < flood.length; i++) {
      flood[i] = connect(ip(i), 22);
    }
    state.batch(detection, t0 + 10, flood);
    detection.tick(t0 + 20, state); // the window (1 s) is still open
    assertEquals(0, reported[0], "nothing reported before the window closes");
    detection.tick(t0 + 1_500, state);
    assertEquals(10, reported[0], "the connects past the exact bound, once");
    assertEquals(
        DistinctPeers.MAX_EXACT + 10,
        state
            .profiles
            .get("shop")
            .getRateHistory(0)
            .getFeatures(RateFeature.DISTINCT_PEERS.ordinal()),
        "ten more peers, estimated: no collision in an empty bitmap is likely at ten");
  }
}
