package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * The host a String URI names: what WebClient or Reactor Netty code asked for, keyed as the
 * connection's host.
 */
class HandoffSitesTest {
  @Test
  void theHostOfAUriStringIsWhatUriGetHostWouldSay() {
    for (String uri :
        new String[] {
          "http://example.com/a",
          "https://example.com:8443/a?b#c",
          "http://user:pw@example.com:80",
          "http://example.com",
          "http://127.0.0.1:9/x",
          "http://[::1]:8080/x",
          "https://a@b@example.com/"
        }) {
      String expected = uri.contains("a@b@") ? "example.com" : java.net.URI.create(uri).getHost();
      assertEquals(expected, HandoffSites.hostOf(uri), uri);
    }
  }

  @Test
  void noHostOrALongerOneThanDnsAllowsIsNotKept() {
    assertNull(HandoffSites.hostOf("/relative/path"));
    assertNull(HandoffSites.hostOf("http:///path"));
    assertNull(HandoffSites.hostOf("http://[::1/x"));
    assertNull(HandoffSites.hostOf("http://" + "a".repeat(HandoffSites.MAX_HOST + 1) + "/"));
    assertEquals(
        "a".repeat(HandoffSites.MAX_HOST),
        HandoffSites.hostOf("http://" + "a".repeat(HandoffSites.MAX_HOST)));
  }

  @Test
  void aHugeUriIsReadNoFurtherThanItsAuthority() {
    String path = "/" + "p".repeat(1 << 20);
    assertEquals(
        "example.com",
        HandoffSites.hostOf("https://example.com" + path),
        "a long path is not read");
    assertNull(
        HandoffSites.hostOf("https://" + "u".repeat(1 << 20) + "@example.com/"),
        "an authority longer than any real one is not scanned to its end");
    assertNull(HandoffSites.hostOf("x".repeat(1 << 20) + "://example.com/"), "nor a scheme");
  }
}
