package dev.tripline.config.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Properties over generated paths (seeded: a failure names its seed and paths; {@code
 * -Dpathshapes.seed=N} replays another run).
 */
class PathShapesPropertyTest {
  private static final long SEED = Long.getLong("pathshapes.seed", 20261205L);
  private static final int PAIRS = 30_000;

  /**
   * The agent folding two paths together implies the collector's key for them is equal: the agent
   * counts the second as a repeat of the first and never reports it, so a coarser agent would hide
   * a file the collector alerts on.
   */
  @Test
  void theAgentNeverFoldsCoarserThanTheCollector() {
    int folded = violations(PathShapes::nameShape, 0);
    assertTrue(folded > PAIRS / 20, "the generator must fold often to prove anything: " + folded);
  }

  /** The property has teeth: the agent's former copy folded "part-3" with "part-4". */
  @Test
  void theFormerAgentCopyWasCoarserAndThePropertyFindsIt() {
    assertEquals("/data/part-#", FormerShapes.agentShape("/data/part-3"));
    assertEquals("/data/part-3", PathShapes.key("/data/part-3"));
    assertEquals(null, PathShapes.nameShape("/data/part-3"));
    assertTrue(violations(FormerShapes::agentShape, -1) < 0);
  }

  /** The collector's keys are what they were: profiles learnt before stay valid. */
  @Test
  void theCollectorKeysAreUnchanged() {
    PathGenerator gen = new PathGenerator(SEED + 1);
    for (int i = 0; i < PAIRS; i++) {
      String p = i % 2 == 0 ? gen.path() : gen.variant(gen.path());
      assertEquals(
          FormerShapes.collectorPath(p), PathShapes.key(p), () -> "seed " + SEED + ": " + p);
      assertEquals(
          FormerShapes.collectorFold(p), PathShapes.fold(p), () -> "seed " + SEED + ": " + p);
    }
  }

  /** A shape is the folded path's directory and a name of the same length or shorter. */
  @Test
  void aShapeKeepsTheDirectoryAndFoldsOnlyTheName() {
    PathGenerator gen = new PathGenerator(SEED + 2);
    for (int i = 0; i < PAIRS; i++) {
      String p = gen.path();
      String shape = PathShapes.nameShape(p);
      if (shape != null) {
        String f = PathShapes.fold(p);
        String dir = f.substring(0, f.lastIndexOf('/') + 1);
        assertTrue(shape.startsWith(dir) && shape.indexOf('/', dir.length()) < 0, () -> p);
        assertTrue(shape.length() <= f.length(), () -> p);
      }
    }
  }

  /**
   * Counts the pairs the given agent shape folds together, failing on the first whose collector
   * keys differ — or, with {@code expectViolation} -1, returning -1 at the first violation.
   */
  private static int violations(Function<String, @Nullable String> agent, int expectViolation) {
    PathGenerator gen = new PathGenerator(SEED);
    int folded = 0;
    for (int i = 0; i < PAIRS; i++) {
      String a = gen.path();
      String b = gen.variant(a);
      String shape = agent.apply(a);
      if (shape == null || !Objects.equals(shape, agent.apply(b))) {
        continue;
      }
      folded++;
      if (!PathShapes.key(a).equals(PathShapes.key(b))) {
        if (expectViolation < 0) {
          return -1;
        }
        fail(
            "seed "
                + SEED
                + ": the agent folds "
                + a
                + " and "
                + b
                + " into "
                + shape
                + " but the collector keys them "
                + PathShapes.key(a)
                + " and "
                + PathShapes.key(b));
      }
    }
    return folded;
  }
}
