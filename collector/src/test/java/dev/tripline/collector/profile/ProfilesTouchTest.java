package dev.tripline.collector.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Counting a known behaviour keeps its last call site, without building it for every event. */
class ProfilesTouchTest {
  private static Event connect(String cls, String method) {
    Event.Builder e =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setCount(2)
            .setNetwork(NetworkTarget.newBuilder().setHost("db").setPort(5432));
    if (cls != null) {
      e.setCallSite(CallSite.newBuilder().setClassName(cls).setMethodName(method));
    }
    return e.build();
  }

  @Test
  void theStoredCallSiteFollowsTheLastEvent() {
    Profiles p = Profiles.create("svc", 0, Duration.ofHours(1));
    String key = "NET_CONNECT|db:5432";
    p.add(key, connect("com.acme.A", "run"), Profiles.LEARNED, 1);
    assertEquals("com.acme.A.run", p.entry(key).getCallSite());
    assertEquals("com.acme.A.run", p.touch(key, connect("com.acme.A", "run"), 2).getCallSite());
    assertEquals("com.acme.B.run", p.touch(key, connect("com.acme.B", "run"), 3).getCallSite());
    assertEquals("com.acme.B.go", p.touch(key, connect("com.acme.B", "go"), 4).getCallSite());
    assertEquals("com.acme.B.go", p.touch(key, connect(null, null), 5).getCallSite());
    assertEquals("", p.touch(key, connect("", "x"), 6).getCallSite());
    assertEquals(2 + 5 * 2, p.entry(key).getCount());
    assertEquals(6, p.entry(key).getLastSeenMs());
  }

  @Test
  void sameCallSiteIsEqualsOfTheBuiltString() {
    String[][] cases = {
      {"com.acme.A.run", "com.acme.A", "run"},
      {"com.acme.A.run", "com.acme", "A.run"},
      {"com.acme.Arun", "com.acme.A", "run"},
      {"com.acme.A.ru", "com.acme.A", "run"},
      {"com.acme.A.runx", "com.acme.A", "run"},
      {"", "", "run"},
      {"x", "", ""},
      {".", "", ""},
      {"a.", "a", ""},
      {"com.acme.B.run", "com.acme.A", "run"},
    };
    for (String[] c : cases) {
      Event e = connect(c[1], c[2]);
      String built = c[1].isEmpty() ? "" : c[1] + "." + c[2];
      assertEquals(c[0].equals(built), Profiles.sameCallSite(c[0], e), String.join("|", c));
    }
  }
}
