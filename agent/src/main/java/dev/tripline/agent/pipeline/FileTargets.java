package dev.tripline.agent.pipeline;

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

  /**
   * The symlink-resolved path, or null when it cannot be resolved. {@code followLast}: the
   * operation follows a link in the last element (open); delete and rename act on the link itself.
   */
  @Nullable String real(String given, boolean followLast) {
    try {
      Path p = Paths.get(absolute(given));
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
      // the directory does not exist either, or the path is not one (NUL, bad encoding)
      return null;
    }
  }
}
