package dev.tripline.model.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.config.path.PathShapes;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The collector's key of a file the agent reported by its path alone is {@code
 * PathShapes.key(PathShapes.fold(path))}: the formula the agent's {@code
 * AgentFoldImpliesCollectorKeyTest} checks its name folding against (the agent's build cannot see
 * this module). Seeded, generated paths.
 */
class FileKeyFormulaTest {
  private static final List<EventKind> PATH_KINDS =
      List.of(
          EventKind.FILE_READ, EventKind.FILE_WRITE, EventKind.FILE_DELETE, EventKind.FILE_RENAME);
  private static final String[] PIECES = {
    "/tmp/",
    "/var/tmp/",
    "/dev/shm/",
    "/data/",
    "/etc/",
    "..",
    ".",
    "/",
    "part-",
    "17",
    "3",
    "2026-11-25",
    "8f3a9c1e",
    "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    "tmp.AbCdEf",
    "app",
    ".log",
    "-",
    "é",
    "\u0661\u0662"
  };

  @Test
  void aFileKeyIsTheSharedKeyOfTheFoldedPath() {
    Random random = new Random(20261205L);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder b = new StringBuilder(random.nextBoolean() ? "/" : "");
      for (int n = 1 + random.nextInt(8); n > 0; n--)
        b.append(PIECES[random.nextInt(PIECES.length)]);
      String path = b.toString();
      EventKind kind = PATH_KINDS.get(random.nextInt(PATH_KINDS.size()));
      Event e =
          Event.newBuilder().setKind(kind).setFile(FileTarget.newBuilder().setPath(path)).build();
      String expected = PathShapes.key(PathShapes.fold(path));
      assertEquals(expected, Normalizer.target(e), path);
      assertEquals(Normalizer.key(kind, expected), Normalizer.key(e), path);
    }
  }
}
