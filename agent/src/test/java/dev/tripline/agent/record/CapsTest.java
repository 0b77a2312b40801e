package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.health.AgentStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapsTest {
  private final AgentStats stats = new AgentStats();
  private final Caps caps = new Caps(stats);

  @Test
  void aShortStringIsUntouchedAndNotCounted() {
    String s = "/etc/passwd";
    assertSame(s, caps.cap(s));
    assertEquals(0, stats.stringsTruncatedCount());
  }

  @Test
  void aLongStringKeepsHeadAndTailAroundAMarkerAndIsCounted() {
    String s = "/srv/" + "a".repeat(1_000_000) + "/secret.txt";
    String c = caps.cap(s);
    assertTrue(c.startsWith("/srv/aaa") && c.endsWith("aaa/secret.txt"), c.substring(0, 10));
    int marker = c.indexOf("…[+");
    assertEquals(
        s.length() - (c.length() - (c.indexOf("]…") + 2) + marker),
        Integer.parseInt(c.substring(marker + 3, c.indexOf(" chars]"))),
        "the marker counts what was cut");
    assertTrue(c.length() <= Caps.MAX_CHARS + 30, "bounded: " + c.length());
    assertEquals(1, stats.stringsTruncatedCount());
    assertEquals(Caps.key(s), c, "the cache key of a long string is what is sent");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String s = "\uD83D\uDE00".repeat(5_000); // 10 000 chars of emoji
    String c = caps.cap(s);
    String head = c.substring(0, c.indexOf("…[+"));
    String tail = c.substring(c.indexOf("]…") + 2);
    assertTrue(
        head.length() % 2 == 0 && tail.length() % 2 == 0, head.length() + " / " + tail.length());
  }

  @Test
  void argvKeepsTheFirstAndLastArgumentsWithinItsBudget() {
    List<String> argv = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) argv.add("x".repeat(5_000) + i);
    List<String> c = caps.argv(argv);
    assertEquals(Caps.MAX_ARGS, c.size());
    assertEquals("…[+745 args]…", c.get(191));
    assertTrue(c.get(0).startsWith("xxx") && c.get(0).endsWith("x0"), c.get(0));
    assertTrue(c.get(c.size() - 1).endsWith("999"));
    assertTrue(
        c.stream().mapToInt(String::length).sum() <= Caps.MAX_ARGV_CHARS + Caps.MAX_ARGS * 30);
    List<String> few = List.of("/bin/sh", "-c", "true");
    assertSame(few, caps.argv(few));
  }

  @Test
  void aHugeArchiveNameIsCappedInCallSitesAndContexts() {
    String huge = "app-" + "x".repeat(100_000) + ".jar";
    dev.tripline.model.CallSite site =
        dev.tripline.model.CallSite.newBuilder()
            .setClassName("A")
            .setArchive(huge)
            .setHandoff("executor")
            .build();
    dev.tripline.model.CallSite capped = caps.callSite(site);
    assertTrue(capped.getArchive().length() <= Caps.MAX_CHARS + 30, "archive bounded");
    assertEquals("executor", capped.getHandoff());
    dev.tripline.model.CodeContext context =
        dev.tripline.model.CodeContext.newBuilder().setCategory("jndi").setArchive(huge).build();
    assertTrue(caps.contexts(List.of(context)).get(0).getArchive().length() <= Caps.MAX_CHARS + 30);
  }
}
