package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tripline.config.path.PathShapes;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The promise the agent's name folding rests on, checked on the agent's real code: when the agent
 * counts a file as a repeat of the first of its shape, the collector keys both files alike — else
 * the agent would hide a file the collector alerts on.
 *
 * <p>The chain is the one a symlink-free file event takes: the path as the application gives it
 * (relative ones against the working directory) → {@code FileTargets.normalise} → the agent's shape
 * ({@code NamePatterns.of}) and the reported {@code FileTarget.path} (capped, {@code Caps}) → the
 * collector's key of a file event's target, {@code PathShapes.key(PathShapes.fold(path))} (the
 * collector's {@code FileKeyFormulaTest} holds its {@code Normalizer} to that formula; the agent
 * cannot see the collector's classes, and the collector's build sees only the packed agent jar).
 * The config module's {@code PathShapesPropertyTest} checks the shared functions alone; this checks
 * what the agent does around them.
 *
 * <p>Seeded ({@code -Dfoldparity.seed=N} replays another run); a failure names the seed and paths.
 */
class AgentFoldImpliesCollectorKeyTest {
  private static final long SEED = Long.getLong("foldparity.seed", 20261205L);
  private static final int PAIRS = 20_000;

  private static final String[] WORKING_DIRS = {"/srv/app", "/tmp", "/", "/tmp/work", "/data/."};

  @Test
  void whatTheAgentFoldsTogetherTheCollectorKeysAlike() {
    int folded = check(NamePatterns::of, false);
    assertTrue(folded > PAIRS / 20, "the generator must fold often to prove anything: " + folded);
  }

  /**
   * The check has teeth: an agent that also folded single digits would hide part-4 behind part-3.
   */
  @Test
  void aCoarserAgentFoldIsCaught() {
    Function<String, @Nullable String> coarser =
        p -> {
          int slash = p.lastIndexOf('/');
          String name = p.substring(slash + 1);
          String shape = p.substring(0, slash + 1) + name.replaceAll("[0-9]+", "#");
          return shape.equals(p) ? NamePatterns.of(p) : shape;
        };
    assertEquals(-1, check(coarser, true));
  }

  /**
   * The path the agent reports is already in the collector's lexical form: the two programs' folds
   * never read one path two ways ({@code /srv/../etc} is {@code /etc} to both).
   */
  @Test
  void theReportedPathIsAlreadyFoldedTheCollectorsWay() {
    Gen gen = new Gen(SEED + 1);
    for (int i = 0; i < PAIRS; i++) {
      String given = gen.path();
      FileTargets files = new FileTargets(gen.workingDir());
      String reported = files.normalise(given);
      assertEquals(reported, PathShapes.fold(reported), () -> "seed " + SEED + ": " + given);
    }
  }

  /**
   * Counts the pairs {@code agentShape} folds together, failing on the first the collector keys
   * apart — or returning -1 there when the caller expects one. As {@code FileShapes} does for a
   * file whose real path is its path: the first file is registered under the shape of the path it
   * was reported with ({@code registerFirst}: capped), the next looked up under the shape of its
   * normalised path ({@code knownShape}). (A name past the cap thus never folds: its capped and
   * uncapped shapes differ. Shaping both uncapped would fold two long names the collector keys
   * apart — this test fails then.)
   */
  private static int check(Function<String, @Nullable String> agentShape, boolean expectViolation) {
    Gen gen = new Gen(SEED);
    Caps caps = new Caps(null);
    int folded = 0;
    for (int i = 0; i < PAIRS; i++) {
      FileTargets files = new FileTargets(gen.workingDir()); // one JVM: one working directory
      String a = gen.path();
      String b = gen.variant(a);
      String reportedA = caps.cap(files.normalise(a));
      String nb = files.normalise(b);
      String shape = agentShape.apply(reportedA);
      if (shape == null || !Objects.equals(shape, agentShape.apply(nb))) {
        continue;
      }
      folded++;
      String keyA = collectorKey(reportedA);
      String keyB = collectorKey(caps.cap(nb));
      if (!keyA.equals(keyB)) {
        if (expectViolation) {
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
                + keyA
                + " and "
                + keyB);
      }
    }
    return folded;
  }

  /** A file event's target as the collector keys it ({@code Normalizer.target}, PATH shape). */
  private static String collectorKey(String reportedPath) {
    return PathShapes.key(PathShapes.fold(reportedPath));
  }

  /**
   * Paths as applications write them, and their next run's names: temp and ordinary directories,
   * relative paths, digit runs, dates, hex tokens, UUIDs, mktemp names, unicode digits, and lexical
   * tricks ({@code ..}, {@code .}, {@code //}, a climb out of a temp directory); a small alphabet
   * so that two paths often share a shape.
   */
  private static final class Gen {
    private static final String[] ROOTS = {
      "/tmp/",
      "/var/tmp/",
      "/dev/shm/",
      "/data/",
      "/srv/app/",
      "/etc/",
      "/",
      "",
      "./",
      "../",
      "/tmp/../etc/",
      "/tmp//",
      "//tmp/",
      "/./tmp/",
      "/var/tmp/../../etc/",
      "/tmpx/",
      "/dev/shm/..",
      "/data/x/../",
      "/tmp/a/./"
    };
    private static final String[] ODD = {"é", "\u0661\u0662", "\uFF11\uFF12", " ", "..", "."};
    private final Random random;

    Gen(long seed) {
      this.random = new Random(seed);
    }

    String workingDir() {
      return WORKING_DIRS[random.nextInt(WORKING_DIRS.length)];
    }

    String path() {
      StringBuilder b = new StringBuilder(ROOTS[random.nextInt(ROOTS.length)]);
      int dirs = random.nextInt(4);
      for (int i = 0; i < dirs; i++) {
        int r = random.nextInt(8);
        b.append(r == 0 ? "/" : r == 1 ? "../" : r == 2 ? "./" : element() + "/");
      }
      if (random.nextInt(20) != 0) { // else a trailing '/': a directory
        b.append(element());
      }
      return b.toString();
    }

    /** The name the next run of the same code gives, or a neighbour an attacker picks. */
    String variant(String path) {
      StringBuilder b = new StringBuilder(path.length() + 8);
      for (int i = 0; i < path.length(); i++) {
        char c = path.charAt(i);
        if (c >= '0' && c <= '9' && random.nextInt(3) != 0) {
          b.append((char) ('0' + random.nextInt(10)));
          if (random.nextInt(10) == 0) b.append((char) ('0' + random.nextInt(10)));
        } else if (c >= 'a' && c <= 'f' && random.nextInt(4) == 0) {
          b.append((char) ('a' + random.nextInt(6)));
        } else {
          b.append(c);
        }
      }
      int slash = b.lastIndexOf("/");
      switch (random.nextInt(10)) {
        case 0:
          return b + "/..";
        case 1:
          return b + "/" + element();
        case 2:
          return b + "1";
        case 3:
          return slash < 0 ? b.toString() : b.substring(0, slash + 1) + element();
        case 4: // the same directory, written another way
          return slash < 0 ? "./" + b : b.substring(0, slash) + "/./" + b.substring(slash + 1);
        case 5:
          return slash < 0 ? b.toString() : b.substring(0, slash) + "/q/.." + b.substring(slash);
        default:
          return b.toString();
      }
    }

    private String element() {
      if (random.nextInt(300) == 0) { // longer than the agent's cap on a reported string
        return letters(4000 + random.nextInt(300)) + digits(2 + random.nextInt(20)) + hex(40);
      }
      StringBuilder b = new StringBuilder();
      int pieces = 1 + random.nextInt(4);
      for (int i = 0; i < pieces; i++) {
        if (i > 0 && random.nextBoolean()) b.append("-_.~".charAt(random.nextInt(4)));
        switch (random.nextInt(10)) {
          case 0:
          case 1:
            b.append(digits(1 + random.nextInt(random.nextBoolean() ? 2 : 14)));
            break;
          case 2:
            b.append(hex(6 + random.nextInt(14)));
            break;
          case 3:
            b.append(hex(8)).append('-').append(hex(4)).append('-').append(hex(4)).append('-');
            b.append(hex(4)).append('-').append(hex(12));
            break;
          case 4:
            b.append("tmp.").append(random.nextBoolean() ? hex(6) : letters(6));
            break;
          case 5:
            b.append(ODD[random.nextInt(ODD.length)]);
            break;
          case 6:
            b.append(digits(4)).append('-').append(digits(2)).append('-').append(digits(2));
            break;
          default:
            b.append(letters(1 + random.nextInt(6)));
        }
      }
      return b.toString();
    }

    private String digits(int n) {
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) b.append((char) ('0' + random.nextInt(10)));
      return b.toString();
    }

    private String hex(int n) {
      String alphabet = "0123456789abcdefABCDEF";
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      return b.toString();
    }

    private String letters(int n) {
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) b.append("abcxyzXYZ".charAt(random.nextInt(9)));
      return b.toString();
    }
  }
}
