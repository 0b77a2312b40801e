package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class NamePatternsTest {
  @Test
  void digitsInTheNameFoldAndTheDirectoryStays() {
    assertEquals("/var/log/app-#-#-#.log", NamePatterns.of("/var/log/app-2026-11-25.log"));
    assertEquals("/data/out/part-#", NamePatterns.of("/data/out/part-00017"));
    assertEquals(
        "/data/run7/part-#", NamePatterns.of("/data/run7/part-3"), "only the last element folds");
    assertNull(NamePatterns.of("/etc/passwd"));
    assertNull(NamePatterns.of("/etc/cron.d/"));
    assertNull(NamePatterns.of("relative"));
  }

  @Test
  void inTempDirectoriesRandomTokensFold() {
    assertEquals("/tmp/upload-*.tmp", NamePatterns.of("/tmp/upload-8f3a9c1e.tmp"));
    assertEquals("/tmp/app/upload-*.tmp", NamePatterns.of("/tmp/app/upload-3a4b5c.tmp"));
    assertEquals(
        "/dev/shm/x#y",
        NamePatterns.of("/dev/shm/x1y"),
        "one digit: a digit run, not a random token");
    assertEquals("/tmp/nb/f-#-#.tmp", NamePatterns.of("/tmp/nb/f-0-1.tmp"));
  }

  @Test
  void namesOfAnotherShapeStayApart() {
    String a = NamePatterns.of("/tmp/upload-8f3a9c1e.tmp");
    assertEquals(a, NamePatterns.of("/tmp/upload-0a1b2c3d.tmp"));
    assertEquals(false, a.equals(NamePatterns.of("/tmp/upload-8f3a9c1e.sh")));
    assertEquals(false, a.equals(NamePatterns.of("/tmp/other/upload-8f3a9c1e.tmp")));
  }
}
