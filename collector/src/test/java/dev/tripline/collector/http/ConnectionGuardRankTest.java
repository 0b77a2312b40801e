package dev.tripline.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The eviction order of {@link ConnectionGuard} when a full address or port takes a newcomer: the
 * slowest sender goes first. The case that failed HttpLimitsTest's slowloris wave: a legitimate
 * request already read (its handler not yet dispatched) among a wave of fresh, unread reconnects
 * must not be the slowest.
 */
class ConnectionGuardRankTest {
  private static final long MS = 1_000_000L;

  @Test
  void aReadRequestOutranksAFreshUnreadSocket() {
    double probe = ConnectionGuard.sendingRate(120, 40 * MS); // "GET /api/services" + token, read
    double fresh = ConnectionGuard.sendingRate(0, 5 * MS); // reconnected, not read yet
    assertTrue(probe > fresh, probe + " vs " + fresh);
  }

  @Test
  void aFreshUnreadSocketOutranksATrickler() {
    double fresh = ConnectionGuard.sendingRate(0, 900 * MS);
    double trickler = ConnectionGuard.sendingRate(4, 800 * MS); // a byte every 200 ms
    double slowTrickler = ConnectionGuard.sendingRate(25, 5_000 * MS);
    assertTrue(fresh > trickler, fresh + " vs " + trickler);
    assertTrue(fresh > slowTrickler, fresh + " vs " + slowTrickler);
  }

  @Test
  void aSocketSilentForASecondIsTheFirstToGo() {
    assertEquals(0.0, ConnectionGuard.sendingRate(0, 1_000 * MS));
    assertTrue(ConnectionGuard.sendingRate(1, 10_000 * MS) > 0);
  }

  @Test
  void theSmallestCompleteHeadReadInItsFirstSecondIsNotBelowAnUnreadSocket() {
    byte[] head = "GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertEquals(ConnectionGuard.PRESUMED_UNREAD_RATE, head.length);
    assertTrue(
        ConnectionGuard.sendingRate(head.length, 999 * MS) >= ConnectionGuard.PRESUMED_UNREAD_RATE);
  }
}
