package dev.tripline.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The eviction order of {@link ConnectionGuard} when a full address or port takes a newcomer: the
 * slowest sender goes first; a socket not read from yet is presumed a client about to speak for its
 * first second (a legitimate request waits in the socket until the selector's turn); a read request
 * is out of reach once its head is parsed (HttpLimitsTest's slowloris waves).
 */
class ConnectionGuardRankTest {
  private static final long MS = 1_000_000L;

  @Test
  void anUnreadSocketIsNoVictimInItsFirstSecond() {
    double fresh = ConnectionGuard.sendingRate(0, 5 * MS);
    double slowStart =
        ConnectionGuard.sendingRate(45 + 4, 800 * MS); // a head's start, then a byte per 200 ms
    assertTrue(fresh > slowStart, fresh + " vs " + slowStart);
    assertTrue(fresh > ConnectionGuard.sendingRate(130, 40 * MS));
  }

  @Test
  void aReadRequestOutranksASlowlorisStartAndATrickler() {
    double probe = ConnectionGuard.sendingRate(120, 40 * MS);
    double slowStart = ConnectionGuard.sendingRate(45 + 4, 800 * MS);
    double trickler = ConnectionGuard.sendingRate(25, 5_000 * MS);
    assertTrue(probe > slowStart, probe + " vs " + slowStart);
    assertTrue(slowStart > trickler, slowStart + " vs " + trickler);
  }

  @Test
  void aSocketSilentForASecondIsTheFirstToGo() {
    assertEquals(0.0, ConnectionGuard.sendingRate(0, 1_000 * MS));
    assertTrue(ConnectionGuard.sendingRate(1, 10_000 * MS) > 0);
  }
}
