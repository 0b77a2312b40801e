package dev.tripline.collector.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.judge.Generalizer;
import dev.tripline.model.judge.Normalizer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Profiles stay within their bounds whatever a service does, and say what they generalised. */
class ProfilesBoundsTest {
  static Event read(String path) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setCount(1)
        .setFile(FileTarget.newBuilder().setPath(path))
        .build();
  }

  static Event connect(String host, int port) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setCount(1)
        .setNetwork(NetworkTarget.newBuilder().setHost(host).setPort(port))
        .build();
  }

  static String letters(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = n; ; i = i / 26 - 1) {
      s.insert(0, (char) ('a' + i % 26));
      if (i < 26) return s.toString();
    }
  }

  static Profiles learning(int maxPerKind, long maxBytes) {
    return Profiles.create("svc", 0, Duration.ofHours(1)).bounded(maxPerKind, maxBytes, 0);
  }

  static Profiles.Learned learn(Profiles p, Event e) {
    String key = Normalizer.key(e);
    return p.known(key) != null ? null : p.learn(key, e, 1);
  }

  @Test
  void aDirectoryOfThousandsOfFilesCollapsesIntoOneGeneralisedEntry() {
    Profiles p = learning(100, 1 << 20);
    p.add("FILE_READ|/etc/app/app.conf", read("/etc/app/app.conf"), Profiles.LEARNED, 0);
    Map<Profiles.Learned, Integer> outcomes = new EnumMap<>(Profiles.Learned.class);
    for (int i = 0; i < 7_000; i++) {
      Profiles.Learned r = learn(p, read("/srv/media/photos/user-" + letters(i) + ".jpg"));
      if (r != null) outcomes.merge(r, 1, Integer::sum);
    }
    assertEquals(Map.of(Profiles.Learned.ADDED, 99, Profiles.Learned.GENERALIZED, 1), outcomes);
    ServiceProfile built = p.build();
    assertEquals(2, built.getEntriesCount(), built.getEntriesList().toString());
    ProfileEntry g = built.getEntries(1);
    assertTrue(g.getGeneralized());
    assertEquals("/srv/media/photos/*", g.getTarget());
    assertEquals(100, g.getCount(), "the collapsed entries' counts are kept (99 + the newcomer)");
    assertNotNull(p.known("FILE_READ|/srv/media/photos/deeper/new.png"), "any depth below");
    assertNull(p.known("FILE_READ|/srv/media/videos/a.mp4"));
    assertNull(p.known("FILE_WRITE|/srv/media/photos/x.jpg"), "per kind");
    assertFalse(p.entry("FILE_READ|/etc/app/app.conf").getGeneralized());
  }

  @Test
  void oneHundredThousandDistinctTargetsStayWithinTheBounds() {
    Profiles p = learning(2_000, 786_432);
    int overflow = 0;
    for (int i = 0; i < 100_000; i++) {
      // A new directory every time: generalising cannot collapse anything, so the rest overflows.
      Profiles.Learned r =
          learn(
              p,
              read("/data/" + letters(i) + "/" + letters(i * 7) + "/file-" + letters(i) + ".bin"));
      Profiles.Learned c =
          learn(p, connect("h" + letters(i) + ".example" + letters(i % 500) + ".net", 443));
      if (r == Profiles.Learned.OVERFLOW) overflow++;
      if (c == Profiles.Learned.OVERFLOW) overflow++;
    }
    ServiceProfile built = p.build();
    long files =
        built.getEntriesList().stream().filter(e -> e.getKind() == EventKind.FILE_READ).count();
    long peers =
        built.getEntriesList().stream().filter(e -> e.getKind() == EventKind.NET_CONNECT).count();
    assertTrue(files <= 2_200 && peers <= 2_200, files + " files, " + peers + " peers");
    assertTrue(built.getSerializedSize() <= 786_432, "size " + built.getSerializedSize());
    assertTrue(overflow > 190_000, "counted, not stored: " + overflow);
  }

  @Test
  void theByteBudgetBindsBeforeTheEntryCap() {
    Profiles p = learning(2_000, 20_000);
    for (int i = 0; i < 2_000; i++) {
      learn(p, read("/srv/" + letters(i) + "/" + "x".repeat(300) + ".dat"));
    }
    assertTrue(p.build().getSerializedSize() <= 20_000, "size " + p.build().getSerializedSize());
  }

  @Test
  void candidatesNeverGetCoarserThanTwoComponentsOrTwoLabels() {
    assertEquals(
        List.of("/srv/media/photos/*", "/srv/media/*"),
        Generalizer.candidates("FILE_READ", "/srv/media/photos/a.jpg"));
    assertEquals(List.of(), Generalizer.candidates("FILE_READ", "/srv/a.jpg"));
    assertEquals(
        List.of("*.cdn.example.com:443", "*.example.com:443"),
        Generalizer.candidates("NET_CONNECT", "a1.cdn.example.com:443"));
    assertEquals(List.of("10.1.2.*:22"), Generalizer.candidates("NET_CONNECT", "10.1.2.77:22"));
    assertEquals(List.of("*.example.com"), Generalizer.candidates("DNS_LOOKUP", "x.example.com"));
    assertEquals(
        List.of("/usr/bin/convert *"),
        Generalizer.candidates("PROCESS_SPAWN", "/usr/bin/convert * /tmp/*"));
    assertTrue(Generalizer.covers("/proc/*/fd/*", "/proc/*/fd/#"));
    assertFalse(Generalizer.covers("*.example.com:443", "example.com:443"));
  }
}
