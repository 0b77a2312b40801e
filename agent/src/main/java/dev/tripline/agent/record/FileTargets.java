package dev.tripline.agent.record;

import java.io.File;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a file path really names, decided once per new target (never on a repeat).
 *
 * <p>{@code path} is absolute and lexically normalised: relative paths against {@code user.dir} (as
 * {@link java.io.File} resolves them), {@code .}, {@code ..} and {@code //} folded — {@code
 * File.getAbsolutePath()} keeps them, so {@code /srv/data/../../etc/passwd} would hide under {@code
 * /srv}. The real path is what the kernel resolved, symlinks included ({@code toRealPath}, one
 * syscall), taken from the path as given so that a {@code ..} after a link goes where the kernel
 * goes. Only the parent is resolved when the last element is not followed (delete, rename) or does
 * not exist (a failed open).
 */
final class FileTargets {
  private final String userDir;

  FileTargets(String userDir) {
    this.userDir = userDir == null || userDir.isEmpty() ? "/" : userDir;
  }

  /** The path as given, made absolute against the working directory (not normalised). */
  String absolute(String given) {
    return given.startsWith("/") ? given : userDir + "/" + given;
  }

  /** Absolute and lexically normalised. */
  String normalise(String given) {
    return fold(absolute(given));
  }

  static String fold(String absolute) {
    if (nothingToFold(absolute)) {
      return absolute; // most paths: no copy
    }
    List<String> parts = new ArrayList<>();
    int start = 0;
    int n = absolute.length();
    while (start <= n) {
      int slash = absolute.indexOf('/', start);
      int end = slash < 0 ? n : slash;
      String seg = absolute.substring(start, end);
      if (seg.equals("..")) {
        if (!parts.isEmpty()) parts.remove(parts.size() - 1); // "/.." is "/"
      } else if (!seg.isEmpty() && !seg.equals(".")) {
        parts.add(seg);
      }
      start = end + 1;
    }
    if (parts.isEmpty()) {
      return "/";
    }
    StringBuilder sb = new StringBuilder(absolute.length());
    for (String p : parts) sb.append('/').append(p);
    return sb.toString();
  }

  /** No {@code //}, {@code .}, {@code ..} or trailing {@code /} (nor a name starting with '.'). */
  private static boolean nothingToFold(String absolute) {
    return absolute.startsWith("/")
        && absolute.indexOf("//") < 0
        && absolute.indexOf("/.") < 0
        && (absolute.length() == 1 || !absolute.endsWith("/"));
  }

  /**
   * The symlink-resolved path, or null when it cannot be resolved. {@code followLast}: the
   * operation follows a link in the last element (open); delete and rename act on the link itself.
   * A name no {@link Path} can hold (an unpaired surrogate; any non-ASCII character when {@code
   * sun.jnu.encoding} is ASCII, as under {@code LANG=C}) is still opened by {@code java.io}, which
   * turns it into bytes its own way ({@code ?} for what the encoding cannot map): it is resolved
   * through that same route ({@link File#getCanonicalPath}), never skipped.
   */
  @Nullable String real(String given, boolean followLast) {
    return look(given, followLast, false).real;
  }

  /** What one look at a path found on first sight. */
  static final class Sight {
    /**
     * The path the kernel is given, in a form a {@link Path} can hold: the absolute path itself, or
     * for a name no Path can hold its real path through {@code java.io}'s route; null when neither
     * works (a NUL in the name: java.io refuses to open it) or nothing but the real path was asked.
     */
    final @Nullable String kernelPath;

    /** As {@link #real}. */
    final @Nullable String real;

    /** The file it names now (links followed), when asked for and it exists; else null. */
    final SameFiles.@Nullable Inode opened;

    Sight(@Nullable String kernelPath, @Nullable String real, SameFiles.@Nullable Inode opened) {
      this.kernelPath = kernelPath;
      this.real = real;
      this.opened = opened;
    }
  }

  /**
   * The real path of {@code given} ({@link #real}) and, when {@code identity}, the file it names
   * ({@link SameFiles#of}) — together, in one {@code lstat} of the last element plus the cached
   * real path of its directory ({@link RealDirs}), instead of a {@code realpath} (a syscall per
   * element) and a {@code stat}. A link in the last element, {@code .}/{@code ..}, the root and
   * names no {@link Path} can hold take the full route.
   */
  Sight look(String given, boolean followLast, boolean identity) {
    String absolute = absolute(given);
    int slash = plainSlash(absolute);
    if (slash > 0) { // most paths: split as a string, the file's Path parsed only for its lstat
      if (!followLast && !identity) {
        return new Sight(absolute, inDirectory(absolute, slash), null); // delete, rename: the link
      }
      Path p = Paths.get(absolute); // printable ASCII: a Path holds it
      SameFiles.Inode noFollow = SameFiles.ofLink(p);
      // not a link: in the directory's real path under its own name; else as below, without a
      // second lstat
      boolean plainFile = noFollow != null && !noFollow.isLink();
      String real = plainFile || !followLast ? inDirectory(absolute, slash) : resolve(p, true);
      return new Sight(
          absolute, real, !identity ? null : plainFile ? noFollow : SameFiles.of(absolute));
    }
    Path p;
    try {
      p = Paths.get(absolute);
    } catch (InvalidPathException e) {
      String real = throughJavaIo(absolute, followLast);
      String kernel = followLast ? real : identity ? throughJavaIo(absolute, true) : null;
      return new Sight(kernel, real, identity ? SameFiles.of(kernel) : null);
    }
    Path name = p.getFileName();
    Path parent = p.getParent();
    String last = name == null ? "" : name.toString();
    if (name == null || parent == null || last.equals(".") || last.equals("..")) {
      return new Sight(absolute, resolve(p, followLast), identity ? SameFiles.of(absolute) : null);
    }
    if (!followLast && !identity) {
      return new Sight(absolute, inDirectory(parent, last), null); // delete, rename: the link
    }
    SameFiles.Inode noFollow = SameFiles.ofLink(p);
    if (noFollow == null || noFollow.isLink()) {
      // a symlink (rare, and what an attacker plants), or nothing there (a failed open), or no
      // unix view to tell: the full resolution, and a stat through the link
      return new Sight(
          absolute,
          followLast ? resolve(p, true) : inDirectory(parent, last),
          identity ? SameFiles.of(absolute) : null);
    }
    // not a link: the file is in the directory's real path under its own name
    return new Sight(absolute, inDirectory(parent, last), identity ? noFollow : null);
  }

  /**
   * What a file made by an open with {@code CREATE_NEW} ({@code O_CREAT|O_EXCL}, succeeded) names:
   * the kernel created it in the directory its parent path reached and refuses to follow a link in
   * the last element, so the directory's real path and the file's own name are its real path, with
   * no look at the file itself (the {@code lstat} {@link #look} takes to rule out a link). No
   * identity: a caller that needs one (a target seen for the first time) asks {@link #look}.
   */
  Sight created(String given) {
    String absolute = absolute(given);
    int slash = plainSlash(absolute);
    if (slash > 0) {
      return new Sight(absolute, inDirectory(absolute, slash), null);
    }
    return look(given, true, false);
  }

  /**
   * The last {@code '/'} of an absolute path with nothing to fold, printable ASCII only (a string a
   * {@link Path} holds as it is, its name what the kernel is given), not in the root directory;
   * else -1: such a path takes the {@link Path} route.
   */
  static int plainSlash(String absolute) {
    if (!nothingToFold(absolute)) {
      return -1;
    }
    for (int i = 0, n = absolute.length(); i < n; i++) {
      char c = absolute.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return -1;
      }
    }
    return absolute.lastIndexOf('/');
  }

  private @Nullable String inDirectory(String absolute, int slash) {
    String dir = dirs.real(absolute.substring(0, slash));
    if (dir == null) {
      return null;
    }
    String last = absolute.substring(slash + 1);
    return dir.endsWith("/") ? dir + last : dir + "/" + last;
  }

  private final RealDirs dirs = new RealDirs();

  private @Nullable String inDirectory(Path parent, String last) {
    String dir = dirs.real(parent);
    if (dir == null) {
      return null; // the directory does not exist either, or the path is not one (NUL)
    }
    return dir.endsWith("/") ? dir + last : dir + "/" + last;
  }

  /**
   * The full resolution through {@code toRealPath}: for the paths {@link #look} cannot shortcut.
   */
  private static @Nullable String resolve(Path p, boolean followLast) {
    try {
      if (followLast) {
        try {
          return p.toRealPath().toString();
        } catch (java.io.IOException e) {
          // does not exist (a failed open, or gone): resolve the directory it is in
        }
      }
      Path name = p.getFileName();
      Path parent = p.getParent();
      if (name == null || parent == null) {
        return followLast ? null : p.toRealPath().toString();
      }
      String last = name.toString();
      if (last.equals(".") || last.equals("..")) {
        return p.toRealPath().toString();
      }
      String dir = parent.toRealPath().toString();
      return dir.endsWith("/") ? dir + last : dir + "/" + last;
    } catch (java.io.IOException | RuntimeException e) {
      // the directory does not exist either, or the path is not one (NUL)
      return null;
    }
  }

  /**
   * java.io's own resolution: the string turned into bytes by the JDK's platform encoding, then
   * realpath(3) — what {@code FileInputStream.open} hands the kernel, resolved.
   */
  private static @Nullable String throughJavaIo(String absolute, boolean followLast) {
    if (absolute.indexOf('\u0000') >= 0) {
      return null; // java.io refuses it before any syscall ("Invalid file path")
    }
    try {
      File f = new File(absolute);
      if (followLast || f.getParentFile() == null) {
        return f.getCanonicalPath();
      }
      String dir = f.getParentFile().getCanonicalPath();
      String last = asKernelSeesIt(f.getName());
      return dir.endsWith("/") ? dir + last : dir + "/" + last;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A name as the platform encoding turns it into bytes, read back ({@code ?} for the unmappable).
   */
  static String asKernelSeesIt(String name) {
    Charset jnu = JNU;
    return new String(name.getBytes(jnu), jnu);
  }

  private static final Charset JNU = jnuCharset();

  private static Charset jnuCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}
