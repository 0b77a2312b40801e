package dev.tripline.agent.record;

import org.jspecify.annotations.Nullable;

/**
 * The shape of a file name that changes with every run of the same code: {@code part-00017}, {@code
 * app-2026-11-25.log}, in a temp directory {@code upload-8f3a9c1e.tmp}. Every temp file and upload
 * is new; without this, each would pay for a stack walk, a protobuf event and a slot in the queue.
 * After the first file of a shape in a directory, the others of that shape are counted as its
 * repeats.
 *
 * <p>Never coarser than the collector: the directory is kept as it is, and the name folds only as
 * the collector's {@code Normalizer.path} folds it (every run of digits in the last element; in
 * {@code /tmp}, {@code /var/tmp} and {@code /dev/shm}, each run of letters and digits holding two
 * digits or more), so two names of one shape here are one profile entry there: nothing an analyst
 * would have been alerted to is folded away. Each file's real path is still resolved, and one whose
 * real path has another shape (a symlink planted among the temp files) is reported on its own.
 */
final class NamePatterns {
  private static final String[] TEMP_DIRS = {"/tmp/", "/var/tmp/", "/dev/shm/"};

  private NamePatterns() {}

  /**
   * The path with its last element folded to its shape, or null when the name has nothing to fold.
   */
  static @Nullable String of(String path) {
    int slash = path.lastIndexOf('/');
    if (slash < 0 || slash == path.length() - 1) {
      return null;
    }
    boolean temp = false;
    for (String dir : TEMP_DIRS) {
      temp |= path.startsWith(dir);
    }
    StringBuilder out = null;
    int n = path.length();
    int i = slash + 1;
    while (i < n) {
      int start = i;
      int digits = 0;
      while (i < n && isAsciiAlnum(path.charAt(i))) {
        if (path.charAt(i) <= '9') digits++;
        i++;
      }
      if (i == start) {
        if (out != null) out.append(path.charAt(i));
        i++;
        continue;
      }
      String folded = temp && digits >= 2 ? "*" : digits > 0 ? digitsFolded(path, start, i) : null;
      if (folded != null && out == null) {
        out = new StringBuilder(n).append(path, 0, start);
      }
      if (out != null) {
        if (folded != null) out.append(folded);
        else out.append(path, start, i);
      }
    }
    return out == null ? null : out.toString();
  }

  /** Each run of digits in {@code path[start, end)} as '#'. */
  private static @Nullable String digitsFolded(String path, int start, int end) {
    StringBuilder b = new StringBuilder(end - start);
    for (int i = start; i < end; i++) {
      char c = path.charAt(i);
      if (c <= '9') {
        if (b.length() == 0 || b.charAt(b.length() - 1) != '#') b.append('#');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isAsciiAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
