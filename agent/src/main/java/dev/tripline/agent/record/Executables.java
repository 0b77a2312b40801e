package dev.tripline.agent.record;

import dev.tripline.model.ProcessTarget;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which program a spawn really runs. The name in argv proves nothing: a link or a copy of /bin/sh
 * called {@code kworker}, or {@code /proc/self/exe}, runs a shell under another name. The
 * executable is resolved as the kernel will (PATH searched as the JDK searches it, symlinks
 * followed), and its file is compared with the well-known shells, interpreters and loaders of this
 * machine: the same file (device and inode), else the same content (size, then SHA-256).
 *
 * <p>Only for a command line seen for the first time (the recorder's repeat path never comes here).
 * The table of known programs is built on the first spawn; an identity is cached per real path,
 * size and modification time, so a file replaced in place is looked at again.
 */
final class Executables {
  /**
   * Programs a known-bad rule or a collector check reads by name, in order of preference (the first
   * name of a file wins: /bin/sh and /bin/dash being one file, it is "sh").
   */
  private static final List<String> KNOWN =
      List.of(
          "sh", "bash", "dash", "zsh", "ash", "ksh", "mksh", "csh", "tcsh", "fish", "busybox",
          "toybox", "python3", "python", "python2", "perl", "ruby", "node", "nodejs", "php", "lua",
          "luajit", "nc", "ncat", "netcat", "socat", "curl", "wget", "env", "nohup", "setsid",
          "timeout", "xargs", "sudo", "su", "chroot", "nsenter", "unshare");

  /** The dynamic loaders: run any program given as their argument. */
  private static final List<String> LOADERS =
      List.of(
          "/lib64/ld-linux-x86-64.so.2",
          "/lib/ld-linux-aarch64.so.1",
          "/lib/ld-linux-armhf.so.3",
          "/lib/ld-linux.so.2",
          "/lib/ld-musl-x86_64.so.1",
          "/lib/ld-musl-aarch64.so.1");

  private static final List<String> SYSTEM_DIRS =
      List.of("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin");

  /** Identities remembered (per real path, size and mtime): enough for any service's commands. */
  private static final int MAX_CACHED = 256;

  /** What {@link #identify} found: the real path and, when known, the well-known name. */
  static final class Identity {
    final String realPath;
    final @Nullable String sameAs;

    Identity(String realPath, @Nullable String sameAs) {
      this.realPath = realPath;
      this.sameAs = sameAs;
    }
  }

  /** One well-known program: its name, real path, file key (device + inode), size. */
  private static final class Known {
    final String name;
    final Path real;
    final @Nullable Object fileKey;
    final long size;
    byte @Nullable [] digest;

    Known(String name, Path real, @Nullable Object fileKey, long size) {
      this.name = name;
      this.real = real;
      this.fileKey = fileKey;
      this.size = size;
    }
  }

  /** The JVM's PATH: the JDK searches it, not the child's (childproc.c, parentPathv). */
  private final String[] path;

  private volatile @Nullable List<Known> known;

  private final Map<String, Identity> cache =
      new LinkedHashMap<String, Identity>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Identity> eldest) {
          return size() > MAX_CACHED;
        }
      };

  Executables() {
    this(System.getenv("PATH"));
  }

  Executables(@Nullable String pathVariable) {
    this.path = (pathVariable == null ? ":/bin:/usr/bin" : pathVariable).split(":", -1);
  }

  /**
   * The program {@code argv0} names, run in {@code workingDir} (null: the JVM's), or null when it
   * cannot be found (the spawn failed, or it is gone).
   */
  @Nullable Identity identify(String argv0, @Nullable String workingDir) {
    try {
      Path file = locate(argv0, workingDir);
      if (file == null) {
        return null;
      }
      Path real = file.toRealPath();
      BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
      String cacheKey = real + "\u0000" + attrs.size() + "\u0000" + attrs.lastModifiedTime();
      synchronized (cache) { // first sight of a command only: never on the repeat path
        Identity seen = cache.get(cacheKey);
        if (seen != null) {
          return seen;
        }
      }
      Identity found = new Identity(real.toString(), sameAs(real, attrs));
      synchronized (cache) {
        cache.put(cacheKey, found);
      }
      return found;
    } catch (IOException | RuntimeException e) {
      return null; // unreadable, vanished, a name no path can hold: the event goes without
    }
  }

  /**
   * Sets {@code real_path} (when it differs from {@code argv0}) and {@code same_as} (when the file
   * is a well-known program under another base name) on {@code p}.
   */
  void describe(String argv0, @Nullable String workingDir, ProcessTarget.Builder p, Caps caps) {
    Identity id = identify(argv0, workingDir);
    if (id == null) {
      return;
    }
    if (!id.realPath.equals(argv0)) {
      p.setRealPath(caps.cap(id.realPath));
    }
    if (id.sameAs != null && !id.sameAs.equals(baseName(argv0))) {
      p.setSameAs(id.sameAs);
    }
  }

  /**
   * As the JDK's child does: a name with a slash is a path, else the first PATH entry that runs.
   */
  private @Nullable Path locate(String argv0, @Nullable String workingDir) {
    String cwd = workingDir != null ? workingDir : System.getProperty("user.dir", "/");
    if (argv0.isEmpty()) {
      return null;
    }
    if (argv0.indexOf('/') >= 0) {
      return Path.of(cwd).resolve(argv0);
    }
    for (String dir : path) {
      Path candidate = Path.of(dir.isEmpty() ? cwd : dir).resolve(argv0);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return cwd.equals(dir) || dir.isEmpty() ? candidate.toAbsolutePath() : candidate;
      }
    }
    return null;
  }

  /** The well-known program this file is, or null. */
  private @Nullable String sameAs(Path real, BasicFileAttributes attrs) throws IOException {
    if (multiCall(real)) {
      return null; // busybox runs the applet argv[0] names: the name in argv is the program
    }
    Object fileKey = attrs.fileKey();
    List<Known> table = known();
    for (Known k : table) {
      if (k.real.equals(real) || (fileKey != null && fileKey.equals(k.fileKey))) {
        return k.name;
      }
    }
    byte[] digest = null;
    for (Known k : table) {
      if (k.size != attrs.size() || attrs.size() > MAX_HASHED) {
        continue;
      }
      if (digest == null) {
        digest = digest(real);
      }
      if (k.digest == null) {
        k.digest = digest(k.real);
      }
      if (Arrays.equals(digest, k.digest)) {
        return k.name;
      }
    }
    return null;
  }

  private List<Known> known() {
    List<Known> table = known;
    if (table == null) {
      table = build();
      known = table;
    }
    return table;
  }

  /**
   * This machine's well-known programs: by name on the PATH and in the system dirs, the loaders.
   */
  private List<Known> build() {
    List<Known> table = new ArrayList<>();
    List<String> dirs = new ArrayList<>(SYSTEM_DIRS);
    for (String dir : path) {
      if (dir.startsWith("/") && !dirs.contains(dir)) {
        dirs.add(dir);
      }
    }
    for (String name : KNOWN) {
      for (String dir : dirs) {
        add(table, name, Path.of(dir, name));
      }
    }
    for (String loader : LOADERS) {
      add(table, loader.substring(loader.lastIndexOf('/') + 1), Path.of(loader));
    }
    return table;
  }

  private static void add(List<Known> table, String name, Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        return;
      }
      Path real = file.toRealPath();
      for (Known k : table) {
        if (k.real.equals(real)) {
          return; // one file, its first name
        }
      }
      if (multiCall(real)) {
        return; // on Alpine /bin/sh and /bin/ls are busybox: a file equal to it proves nothing
      }
      BasicFileAttributes a =
          Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      table.add(new Known(name, real, a.fileKey(), a.size()));
    } catch (IOException | RuntimeException e) {
      // unreadable: not compared
    }
  }

  /** Files larger than this are not hashed (no shell or interpreter binary comes near). */
  private static final long MAX_HASHED = 64L << 20;

  private static byte[] digest(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (int r; (r = in.read(buf)) > 0; ) {
        sha.update(buf, 0, r);
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }

  /**
   * A multi-call binary (busybox, toybox) runs the applet its argv[0] names: {@code ls} linked to
   * busybox is ls, not a shell.
   */
  private static boolean multiCall(Path real) {
    Path name = real.getFileName();
    return name != null && MULTI_CALL.contains(name.toString());
  }

  private static final List<String> MULTI_CALL = List.of("busybox", "toybox");

  /** The base name of a path ("/usr/bin/dash" → "dash"). */
  static String baseName(String path) {
    return path.substring(path.lastIndexOf(File.separatorChar) + 1);
  }
}
