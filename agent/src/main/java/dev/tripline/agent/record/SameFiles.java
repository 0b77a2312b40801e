package dev.tripline.agent.record;

import dev.tripline.config.SensitiveFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A hard link IS the file: a link to {@code /etc/shadow} named {@code /tmp/notes.txt} (or {@code
 * lib.jar}, or placed under {@code java.home}) opens the shadow file. Names cannot tell, so the
 * agent looks at what the file is: its device and inode ({@code stat}, once, on first sight of a
 * target — never on a repeat). A file with more than one link is compared with the sensitive files
 * of {@link SensitiveFiles} (and {@code sensitive.paths}), whose identities are taken when first
 * needed and again, at most once a second, when a linked file matches none (a credentials file
 * created after start).
 */
final class SameFiles {
  /** What {@code stat} says a path is now: device, inode and link count. */
  static final class Inode {
    final long dev;
    final long ino;
    final int links;

    Inode(long dev, long ino, int links) {
      this.dev = dev;
      this.ino = ino;
      this.links = links;
    }

    /** {@link #LINK}: no file's link count is negative. */
    boolean isLink() {
      return links < 0;
    }

    boolean sameFile(Inode other) {
      return dev == other.dev && ino == other.ino;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Inode && sameFile((Inode) o);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(dev) * 31 + Long.hashCode(ino);
    }
  }

  private static final long REFRESH_MS = 1000;

  private final List<String> sensitive;
  private volatile Map<Inode, String> known = Map.of();
  private volatile long builtMs = Long.MIN_VALUE;

  SameFiles(String home, List<String> extra) {
    this.sensitive = SensitiveFiles.paths(home, extra);
  }

  /** The file {@code path} names now (links followed, as open follows them), or null. */
  static @Nullable Inode of(@Nullable String path) {
    if (path == null) {
      return null;
    }
    try {
      Path p = Paths.get(path);
      Inode typed = UnixAttributes.read(p, true);
      if (typed != null) {
        return typed;
      }
      Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,nlink");
      return new Inode(
          number(a, "dev").longValue(),
          number(a, "ino").longValue(),
          number(a, "nlink").intValue());
    } catch (java.io.IOException | RuntimeException e) {
      return null; // gone, unreadable directory, or no unix view (not Linux/Unix)
    }
  }

  /** An attribute the unix view always has; a view without it is no unix view (caught above). */
  private static Number number(Map<String, Object> attributes, String name) {
    Object v = attributes.get(name);
    if (!(v instanceof Number)) {
      throw new IllegalStateException("no unix:" + name);
    }
    return (Number) v;
  }

  /** What {@link #ofLink} says of a symbolic link: not a file it names. */
  static final Inode LINK = new Inode(-1, -1, -1);

  private static final int S_IFMT = 0170000;
  private static final int S_IFLNK = 0120000;

  /**
   * The file {@code path} names without following a link in its last element ({@code lstat}): its
   * identity when that element is not a link (then the same as {@link #of}), {@link #LINK} when it
   * is, null when it is not there.
   */
  static @Nullable Inode ofLink(Path path) {
    try {
      Inode typed = UnixAttributes.read(path, false);
      if (typed != null) {
        return typed;
      }
      Map<String, Object> a =
          Files.readAttributes(path, "unix:dev,ino,nlink,mode", LinkOption.NOFOLLOW_LINKS);
      if ((number(a, "mode").intValue() & S_IFMT) == S_IFLNK) {
        return LINK;
      }
      return new Inode(
          number(a, "dev").longValue(),
          number(a, "ino").longValue(),
          number(a, "nlink").intValue());
    } catch (java.io.IOException | RuntimeException e) {
      return null; // gone, unreadable directory, or no unix view (not Linux/Unix)
    }
  }

  /**
   * The sensitive path {@code file} is the same file as, when it is not {@code judged} itself; else
   * null. Only for files with more than one link: a file with one link has one name, its own.
   */
  @Nullable String sameAs(Inode file, String judged) {
    if (file.links < 2) {
      return null;
    }
    String same = known().get(file);
    if (same == null && System.currentTimeMillis() - builtMs >= REFRESH_MS) {
      same = rebuild().get(file);
    }
    return same == null || same.equals(judged) ? null : same;
  }

  private Map<Inode, String> known() {
    return builtMs == Long.MIN_VALUE ? rebuild() : known;
  }

  private Map<Inode, String> rebuild() {
    Map<Inode, String> m = new HashMap<>();
    for (String p : sensitive) {
      Inode i = of(p);
      if (i != null) m.putIfAbsent(i, p); // /var/run/docker.sock before /run/docker.sock
    }
    known = m;
    builtMs = System.currentTimeMillis();
    return m;
  }
}
