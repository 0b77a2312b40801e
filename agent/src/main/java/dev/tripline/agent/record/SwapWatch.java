package dev.tripline.agent.record;

import java.io.File;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A path string names a file only at the moment it is opened: a symlink (or a directory on the way)
 * swapped after the first open makes the same string open another file, which the recorder would
 * count as a repeat of the first, harmless one. Paths that can change under the application — the
 * first resolution went through a symlink, or a directory on the way is writable by this process
 * (decided once per directory) — get a {@link Watch}: the identity (device, inode) of what the
 * first open opened. A repeat re-reads it with one {@code stat} and, when the path now names
 * another file, is reported as new, judged on what it opens now.
 *
 * <p>Cost: the check is one {@code stat} (about 2 µs, a third of an open + read + close), so a
 * watched path is re-checked on its first repeat, then on every {@value #CHECK_EVERY}th repeat, and
 * on any repeat {@link #CHECK_AFTER_NS} or more after the last check: a path opened now and then
 * (an attacker's requests) is checked on every open, a path in a tight loop on one open in 64
 * (docs/detection.md has the figures and what that leaves open).
 */
final class SwapWatch {
  /**
   * A hot path is re-checked on one repeat in this many: under 1 % of a loop that only opens it.
   */
  static final int CHECK_EVERY = 64;

  /** Any repeat this long after the last check is checked: opens further apart are all checked. */
  static final long CHECK_AFTER_NS = 5_000_000;

  private static final int MAX_DIRS = 4096;

  /** What a watched path opened at first sight, and when it was last checked. */
  static final class Watch {
    final String kernelPath;
    final SameFiles.Inode opened;
    volatile long checkedNs;

    /** Repeats since the last check (a plain field: a lost update only moves a check by one). */
    int unchecked;

    Watch(String kernelPath, SameFiles.Inode opened, long now) {
      this.kernelPath = kernelPath;
      this.opened = opened;
      this.checkedNs = now - CHECK_AFTER_NS; // the first repeat is checked
    }
  }

  /** Directory → writable by this process; bounded (cleared when full: it is only a cache). */
  private final ConcurrentHashMap<String, Boolean> writable = new ConcurrentHashMap<>();

  /**
   * The watch for a target seen for the first time, or null when its path cannot change under the
   * application: no link on the way ({@code viaLink} false) and no directory on the way it may
   * write.
   */
  @Nullable Watch watch(
      String absoluteGiven, String kernelPath, SameFiles.Inode opened, boolean viaLink) {
    if (!viaLink && !writableOnTheWay(absoluteGiven)) {
      return null;
    }
    return new Watch(kernelPath, opened, System.nanoTime());
  }

  /**
   * On a repeat: true when the path now names another file than it opened at first sight (checked
   * as the class comment says); a path that is gone now says false (it did open).
   */
  static boolean swapped(Watch w) {
    long now = System.nanoTime();
    if (++w.unchecked < CHECK_EVERY && now - w.checkedNs < CHECK_AFTER_NS) {
      return false;
    }
    w.unchecked = 0;
    w.checkedNs = now;
    SameFiles.Inode current = SameFiles.of(w.kernelPath);
    return current != null && !current.sameFile(w.opened);
  }

  /**
   * Whether a directory the kernel walks for {@code absolute} (every prefix of the path as given,
   * before {@code ..} is folded: a link swapped in before a {@code ..} redirects it) can be changed
   * by this process.
   */
  private boolean writableOnTheWay(String absolute) {
    if (writable("/")) {
      return true; // root: every path can change under it
    }
    int end = absolute.lastIndexOf('/');
    for (int slash = absolute.indexOf('/', 1);
        slash >= 0 && slash <= end;
        slash = absolute.indexOf('/', slash + 1)) {
      if (writable(absolute.substring(0, slash))) return true;
    }
    return false;
  }

  private boolean writable(String dir) {
    Boolean w = writable.get(dir);
    if (w == null) {
      if (writable.size() >= MAX_DIRS) writable.clear();
      w = new File(dir).canWrite(); // access(W_OK): what this process may change
      writable.put(dir, w);
    }
    return w;
  }
}
