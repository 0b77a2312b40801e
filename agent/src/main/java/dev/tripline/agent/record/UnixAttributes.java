package dev.tripline.agent.record;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * Device, inode and link count of a file, read from the JDK's own {@code stat} result without the
 * {@code "unix:dev,ino,nlink"} attribute map: the map's parsing (split, an {@code
 * AttributesBuilder}, a {@code HashMap}, boxing) cost more than the {@code lstat} itself on every
 * first sight of a file (docs/benchmarks.md). {@code Files.readAttributes(p,
 * PosixFileAttributes.class)} returns the JDK's {@code sun.nio.fs.UnixFileAttributes}, whose
 * package-private {@code dev()}, {@code ino()} and {@code nlink()} are read through handles made
 * once {@code sun.nio.fs} is opened to the agent's module ({@link BoundAddresses#open}, at
 * start-up). When it is not opened (unit tests, a JDK without these members), {@link #read} says
 * null and {@link SameFiles} reads the attribute map as before: the same answers, slower.
 */
final class UnixAttributes {
  private UnixAttributes() {}

  private static volatile boolean opened;

  /** {@code sun.nio.fs} is open to the agent's module: the handles may be made. */
  static void opened() {
    opened = true;
  }

  /** The handles, made on the first file first seen after {@link #opened}. */
  private static final class Handles {
    static final @Nullable Class<?> TYPE;
    static final @Nullable MethodHandle DEV;
    static final @Nullable MethodHandle INO;
    static final @Nullable MethodHandle NLINK;

    static {
      Class<?> type = null;
      MethodHandle dev = null;
      MethodHandle ino = null;
      MethodHandle nlink = null;
      try {
        type = Class.forName("sun.nio.fs.UnixFileAttributes", false, null);
        MethodHandles.Lookup l = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        MethodType asLong = MethodType.methodType(long.class, Object.class);
        dev = l.findVirtual(type, "dev", MethodType.methodType(long.class)).asType(asLong);
        ino = l.findVirtual(type, "ino", MethodType.methodType(long.class)).asType(asLong);
        nlink =
            l.findVirtual(type, "nlink", MethodType.methodType(int.class))
                .asType(MethodType.methodType(int.class, Object.class));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        type = null; // a JDK without these members: the attribute map is read
      }
      TYPE = type;
      DEV = dev;
      INO = ino;
      NLINK = nlink;
    }
  }

  /**
   * The identity of the file {@code path} names, the last element's link followed or not; {@link
   * SameFiles#LINK} for a symbolic link when not followed; null when the handles are not there (the
   * caller reads the attribute map). Throws what {@code stat} throws (a missing file).
   */
  static SameFiles.@Nullable Inode read(Path path, boolean followLast) throws java.io.IOException {
    if (!opened) {
      return null;
    }
    Class<?> type = Handles.TYPE;
    MethodHandle dev = Handles.DEV;
    MethodHandle ino = Handles.INO;
    MethodHandle nlink = Handles.NLINK;
    if (type == null || dev == null || ino == null || nlink == null) {
      return null;
    }
    PosixFileAttributes a =
        followLast
            ? Files.readAttributes(path, PosixFileAttributes.class)
            : Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.getClass() != type) {
      return null; // another file system's attributes (a zip file system, a test double)
    }
    if (a.isSymbolicLink()) {
      return SameFiles.LINK; // lstat only: a followed link is never one
    }
    try {
      return new SameFiles.Inode(
          (long) dev.invokeExact((Object) a),
          (long) ino.invokeExact((Object) a),
          (int) nlink.invokeExact((Object) a));
    } catch (Throwable e) {
      return null;
    }
  }
}
