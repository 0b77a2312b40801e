package dev.tripline.agent.record;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The real path of a directory, resolved once ({@code toRealPath}: {@code realpath(3)}, a syscall
 * per element) and then only checked: a directory string is looked up again with one {@code stat},
 * which follows every link on the way as an open does, and the cached real path is used only when
 * that stat reaches the very directory (device and inode) the real path named when it was resolved.
 * A directory link swapped since, or a directory removed and made again, reaches another one: the
 * path is resolved anew (and the cache updated). Files under one directory, seen for the first time
 * one after another (temp files, uploads, a cache directory), pay one {@code stat} for their
 * directory instead of a walk of its whole path.
 *
 * <p>What the check cannot see, by design: the same directory moved elsewhere and reached through a
 * new link at the old name (or a bind mount) — the cached name is then the directory's former name,
 * yet the files reached are the same files. Renaming gives an attacker nothing that moving a file
 * does not (a file moved out of {@code ~/.ssh} is named where it is).
 */
final class RealDirs {
  private static final int MAX_DIRS = 4096;

  private static final class Resolved {
    final String real;
    final Object identity;

    /** The directory as given, parsed once: what is stat'ed again on each look. */
    final Path given;

    Resolved(String real, Object identity, Path given) {
      this.real = real;
      this.identity = identity;
      this.given = given;
    }
  }

  /** Directory as given → its real path and identity; bounded (cleared when full: a cache). */
  private final ConcurrentHashMap<String, Resolved> dirs = new ConcurrentHashMap<>();

  /** The real path of {@code dir} (links followed), or null when it does not resolve. */
  @Nullable String real(Path dir) {
    String key = dir.toString();
    return real(key, dir, dirs.get(key));
  }

  /**
   * The real path of the directory named {@code dir} (absolute; a string a {@link Path} holds as it
   * is), or null when it does not resolve.
   */
  @Nullable String real(String dir) {
    Resolved known = dirs.get(dir);
    if (known != null) {
      return real(dir, known.given, known);
    }
    try {
      return real(dir, Paths.get(dir), null);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private @Nullable String real(String key, Path dir, @Nullable Resolved known) {
    Object now = identity(dir); // one stat through every link on the way
    if (now == null) {
      return resolve(dir); // gone, or no file keys on this platform: the full route
    }
    if (known != null && known.identity.equals(now)) {
      return known.real;
    }
    String real = resolve(dir);
    if (real != null && now.equals(identity(Paths.get(real)))) {
      // cached only when the real path names what the given one reached: no swap in between
      if (dirs.size() >= MAX_DIRS) dirs.clear();
      dirs.put(key, new Resolved(real, now, dir));
    } else {
      dirs.remove(key);
    }
    return real;
  }

  private static @Nullable String resolve(Path dir) {
    try {
      return dir.toRealPath().toString();
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** Device and inode of what {@code dir} reaches now ({@code stat}), or null. */
  private static @Nullable Object identity(Path dir) {
    try {
      return Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }
}
