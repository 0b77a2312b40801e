package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class NamePatternsTest {
  @Test
  void countersInTheNameFoldAndTheDirectoryStays() {
    assertEquals("/var/log/app-#-#-#.log", NamePatterns.of("/var/log/app-2026-11-25.log"));
    assertEquals("/data/out/part-#", NamePatterns.of("/data/out/part-00017"));
    assertEquals(
        "/data/run7/part-#", NamePatterns.of("/data/run7/part-37"), "only the last element folds");
    assertNull(NamePatterns.of("/etc/passwd"));
    assertNull(NamePatterns.of("/etc/cron.d/"));
    assertNull(NamePatterns.of("relative"));
  }

  /**
   * One digit is not a counter to the collector (its profile keeps part-3 and part-4 apart): the
   * agent must not fold them either, or it would hide part-4 as a repeat of part-3.
   */
  @Test
  void aSingleDigitIsNotFoldedAsTheCollectorKeepsIt() {
    assertNull(NamePatterns.of("/data/run7/part-3"));
    assertNull(NamePatterns.of("/dev/shm/x1y"));
    assertNull(NamePatterns.of("/tmp/nb/f-0-1.tmp"));
  }

  @Test
  void inTempDirectoriesRandomTokensFold() {
    assertEquals("/tmp/upload-*.tmp", NamePatterns.of("/tmp/upload-8f3a9c1e.tmp"));
    assertEquals("/tmp/app/upload-*.tmp", NamePatterns.of("/tmp/app/upload-3a4b5c.tmp"));
    assertEquals("/tmp/tmp.*", NamePatterns.of("/tmp/tmp.AbCdEfGhIj"));
  }

  /** A path that climbs out of a temp directory is judged where it lands, as the collector does. */
  @Test
  void aClimbOutOfTheTempDirectoryIsNotATempFile() {
    assertNull(NamePatterns.of("/tmp/../etc/ab1c2"));
    assertEquals("/etc/ab#c", NamePatterns.of("/tmp/../etc/ab12c"));
  }

  @Test
  void namesOfAnotherShapeStayApart() {
    String a = NamePatterns.of("/tmp/upload-8f3a9c1e.tmp");
    assertEquals(a, NamePatterns.of("/tmp/upload-0a1b2c3d.tmp"));
    assertEquals(false, a.equals(NamePatterns.of("/tmp/upload-8f3a9c1e.sh")));
    assertEquals(false, a.equals(NamePatterns.of("/tmp/other/upload-8f3a9c1e.tmp")));
  }

  /** The collector keys a path past the cap by its cut form: the agent never shapes such a path. */
  @Test
  void aPathLongerThanTheAgentReportsIsNeverFolded() {
    String dir = "/tmp/" + "d/".repeat(Caps.MAX_CHARS / 2);
    assertEquals("/tmp/upload-*.tmp", NamePatterns.of("/tmp/upload-8f3a9c1e.tmp"));
    assertNull(NamePatterns.of(dir + "upload-8f3a9c1e.tmp"));
  }
}
