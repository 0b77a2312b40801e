package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.RequestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's fields as the client chose them: capped, flagged and counted, never trusted. */
class RequestFieldsTest {
  private final AgentStats stats = new AgentStats();
  private final RequestFields fields = new RequestFields(stats);

  @Test
  void aValidTraceparentGivesItsIdsAndAMalformedOneIsDroppedWhole() {
    RequestContext.Builder ok = RequestContext.newBuilder();
    fields.traceparent(ok, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", ok.getTraceId());
    assertEquals("00f067aa0ba902b7", ok.getSpanId());
    for (String bad :
        List.of(
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // 00 has no more
            "00-4bf92f35-00f067aa0ba902b7-01",
            "x".repeat(100_000))) {
      RequestContext.Builder b = RequestContext.newBuilder();
      fields.traceparent(b, bad);
      assertTrue(b.getTraceparentDropped(), bad.substring(0, Math.min(60, bad.length())));
      assertEquals("", b.getTraceId());
    }
    assertEquals(6, stats.snapshot().getRequestTraceparentDropped());
  }

  @Test
  void tenThousandForwardedHopsKeepTheFirstSixteenAndSaySo() {
    StringBuilder header = new StringBuilder("203.0.113.7");
    for (int i = 1; i < 10_000; i++) header.append(", 10.0.0.").append(i % 256);
    RequestContext.Builder b = RequestContext.newBuilder();
    fields.forwarded(b, header.toString(), "for=198.51.100.1");
    assertEquals(RequestFields.MAX_HOPS, b.getForwardedForCount());
    assertEquals("203.0.113.7", b.getForwardedFor(0));
    assertTrue(b.getForwardedCapped());
    assertTrue(b.getForwardedByClient());
    assertEquals(1, stats.snapshot().getRequestForwardedCapped());
  }

  @Test
  void rfc7239ForwardedGivesItsForValuesWithoutQuotes() {
    RequestContext.Builder b = RequestContext.newBuilder();
    fields.forwarded(
        b, null, "for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8::1]:4711\"");
    assertEquals(List.of("192.0.2.60", "[2001:db8::1]:4711"), b.getForwardedForList());
    assertFalse(b.getForwardedCapped());
  }

  @Test
  void aMegabytePathIsCutAndNonAsciiBytesAreEncoded() {
    RequestContext.Builder b = RequestContext.newBuilder();
    fields.path(b, "/" + "a".repeat(1 << 20));
    assertTrue(b.getPathCapped());
    assertTrue(b.getPath().length() <= RequestFields.MAX_PATH + 1, "" + b.getPath().length());
    assertTrue(b.getPath().endsWith("…"));

    RequestContext.Builder bytes = RequestContext.newBuilder();
    fields.path(bytes, "/caf\u00ff\u00fe\r\n x");
    assertEquals("/caf%FF%FE%0D%0A%20x", bytes.getPath());
    assertTrue(bytes.getPathCapped());
    AgentHealth h = stats.snapshot();
    assertEquals(2, h.getRequestFieldsCapped());

    RequestContext.Builder plain = RequestContext.newBuilder();
    fields.path(plain, "/owners/7");
    assertEquals("/owners/7", plain.getPath());
    assertFalse(plain.getPathCapped());
  }

  @Test
  void secretsInTheQueryAreMasked() {
    RequestContext.Builder b = RequestContext.newBuilder();
    fields.query(b, "user=ann&password=hunter2&api_key=abc123");
    assertFalse(b.getQuery().contains("hunter2"), b.getQuery());
    assertFalse(b.getQuery().contains("abc123"), b.getQuery());
    assertTrue(b.getQuery().startsWith("user=ann&"), b.getQuery());
  }

  @Test
  void anEncodingNeverGrowsPastTheCap() {
    String s = RequestFields.visible("\u00ff".repeat(10_000), 100);
    assertTrue(s.length() <= 101, s);
    assertTrue(s.endsWith("…"), s);
  }
}
