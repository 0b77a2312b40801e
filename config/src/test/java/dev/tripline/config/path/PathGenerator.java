package dev.tripline.config.path;

import java.util.Random;

/**
 * Paths as applications and attackers write them: temp and ordinary directories, {@code /proc},
 * digit runs, hex tokens, UUIDs, mktemp names, and the hostile shapes ({@code ..}, {@code //},
 * {@code .}, a trailing '/', unicode digits and letters, lone surrogates, very long names). Paths
 * are built from a small alphabet so that two of them often share an agent shape; {@link #variant}
 * changes one the way the next run of the same code would (other digits, other token letters, a
 * longer counter), or the way an attacker would (one more element, a '..').
 */
final class PathGenerator {
  private static final String[] ROOTS = {
    "/tmp/",
    "/var/tmp/",
    "/dev/shm/",
    "/data/",
    "/proc/",
    "/etc/",
    "/",
    "",
    "../",
    "./",
    "/tmp/../etc/",
    "/tmp//",
    "//tmp/",
    "/./tmp/",
    "/var/tmp/../../etc/",
    "/tmp/app/",
    "/tmpx/",
    "/dev/shm/.."
  };
  private static final String[] ODD = {
    "é",
    "日本",
    "\uD83D\uDE00",
    "\u0661\u0662",
    "\uFF11\uFF12",
    "\uD800",
    " ",
    "\t",
    "\u0000",
    "*",
    "#",
    "\\",
    "%2e%2e",
    "..",
    "."
  };
  private static final String SEPARATORS = "-_.~";

  private final Random random;

  PathGenerator(long seed) {
    this.random = new Random(seed);
  }

  String path() {
    StringBuilder b = new StringBuilder(ROOTS[random.nextInt(ROOTS.length)]);
    int dirs = random.nextInt(4);
    for (int i = 0; i < dirs; i++) {
      switch (random.nextInt(8)) {
        case 0:
          b.append("/"); // an empty element: "//"
          break;
        case 1:
          b.append("../");
          break;
        case 2:
          b.append("./");
          break;
        default:
          b.append(element()).append('/');
      }
    }
    if (random.nextInt(20) != 0) { // else a trailing '/'
      b.append(element());
    }
    return b.toString();
  }

  /** The same path as the next run of the same code might name it, or an attacker's neighbour. */
  String variant(String path) {
    StringBuilder b = new StringBuilder(path.length() + 8);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c >= '0' && c <= '9' && random.nextInt(3) != 0) {
        b.append((char) ('0' + random.nextInt(10)));
        if (random.nextInt(10) == 0) b.append((char) ('0' + random.nextInt(10))); // longer
        if (random.nextInt(12) == 0) continue;
      } else if (c >= 'a' && c <= 'f' && random.nextInt(4) == 0) {
        b.append((char) ('a' + random.nextInt(6)));
      } else {
        b.append(c);
      }
    }
    switch (random.nextInt(12)) {
      case 0:
        return b + "/..";
      case 1:
        return b + "/" + element();
      case 2:
        return b + "1";
      case 3:
        int slash = b.lastIndexOf("/");
        return slash < 0 ? b.toString() : b.substring(0, slash + 1) + element();
      default:
        return b.toString();
    }
  }

  private String element() {
    if (random.nextInt(200) == 0) { // very long: a counter or token hidden deep in it
      return letters(random.nextInt(4000) + 200) + digits(random.nextInt(300) + 1) + hex(40);
    }
    StringBuilder b = new StringBuilder();
    int pieces = 1 + random.nextInt(4);
    for (int i = 0; i < pieces; i++) {
      if (i > 0 && random.nextBoolean()) {
        b.append(SEPARATORS.charAt(random.nextInt(SEPARATORS.length())));
      }
      switch (random.nextInt(10)) {
        case 8: // hex with no digit: a UUID or a hash a digit check alone would miss
          String letters = "abcdefABCDEF";
          int n = random.nextBoolean() ? 8 : 12 + random.nextInt(4);
          for (int k = 0; k < n; k++) b.append(letters.charAt(random.nextInt(letters.length())));
          if (n == 8) b.append("-abcd-bcde-cdef-abcdefabcdef");
          break;
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
          b.append("tmp.")
              .append(
                  random.nextBoolean()
                      ? hex(4 + random.nextInt(7))
                      : letters(4 + random.nextInt(4)));
          break;
        case 5:
          b.append(ODD[random.nextInt(ODD.length)]);
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
    String alphabet = "abcxyzXYZ";
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return b.toString();
  }
}
