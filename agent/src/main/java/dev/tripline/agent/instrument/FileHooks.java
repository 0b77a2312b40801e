package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.RETURN;
import static dev.tripline.agent.instrument.Hook.Value.arg;
import static dev.tripline.agent.instrument.Hook.Value.argFieldOrThis;
import static dev.tripline.agent.instrument.Hook.Value.argFlags;
import static dev.tripline.agent.instrument.Hook.Value.args;
import static dev.tripline.agent.instrument.Hook.Value.boxed;
import static dev.tripline.agent.instrument.Hook.Value.thisField;

import dev.tripline.agent.record.Observations;
import dev.tripline.model.EventKind;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Files: every open for reading or writing, delete and rename, through {@code java.io} and NIO
 * (docs/jdk-choke-points.md says why these methods and not the public API).
 */
final class FileHooks extends HookGroup {
  private static final int READ = 0;
  private static final int WRITE = 1;
  private static final int RANDOM_ACCESS = 2;
  private static final int NIO_OPEN = 3;
  private static final int DELETE_FILE = 4;
  private static final int DELETE_PATH = 5;
  private static final int RENAME = 6;
  private static final int NATIVE_OPEN = 7;
  private static final int LIST_FILE = 8;
  private static final int LIST_PATH = 9;
  private static final int RENAME_FILE = 10;
  private static final int DELETE_AT = 11;
  private static final int RENAME_AT = 12;

  private static final String FACTORY = "sun/nio/fs/UnixChannelFactory";
  private static final String FLAGS = "sun/nio/fs/UnixChannelFactory$Flags";
  private static final String PROVIDER = "sun/nio/fs/UnixFileSystemProvider";
  private static final String FILE = "java/io/File";
  private static final String DISPATCHER = "sun/nio/fs/UnixNativeDispatcher";
  private static final String STRING = "Ljava/lang/String;";

  FileHooks() {
    super("file");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.exit("file.FileInputStream.open", "java/io/FileInputStream", "open", "(Ljava/lang/String;)",
            READ, arg(0), NONE, NONE).guarded(Refusal.FILE_STREAM),
        Hook.exit("file.FileOutputStream.open", "java/io/FileOutputStream", "open", "(Ljava/lang/String;Z)",
            WRITE, arg(0), NONE, NONE).guarded(Refusal.FILE_STREAM),
        // mode bit 2 is O_RDWR
        Hook.exit("file.RandomAccessFile.open", "java/io/RandomAccessFile", "open", "(Ljava/lang/String;I)",
            RANDOM_ACCESS, arg(0), NONE, arg(1)).guarded(Refusal.FILE_STREAM),
        // The NIO open, after newFileChannel has read the caller's options into the JDK's own Flags:
        // the application's Set (its iterator, its contains) runs outside the bracket, and write-ness
        // is the JDK's flags.write, never a call of the caller's Set. It lost its permission-check path
        // argument in JDK 25: one row per shape, one matches. Async channels open here too. b is the
        // directory descriptor (-1, or a SecureDirectoryStream's: the path is relative to it). n is
        // flags.write | flags.createNew << 1: an open for writing with CREATE_NEW (O_CREAT|O_EXCL)
        // that succeeded made a new file, never followed a link in the last element. CREATE_NEW
        // without WRITE is ignored by the JDK (a plain read, links followed): both bits or neither.
        Hook.exit("file.nio.channelOpen", FACTORY, "open",
            "(ILsun/nio/fs/UnixPath;Ljava/lang/String;Lsun/nio/fs/UnixChannelFactory$Flags;I)",
            NIO_OPEN, arg(1), boxed(0), argFlags(3, FLAGS, "write", "createNew")).guarded(Refusal.FILE_NIO),
        Hook.exit("file.nio.channelOpen", FACTORY, "open",
            "(ILsun/nio/fs/UnixPath;Lsun/nio/fs/UnixChannelFactory$Flags;I)",
            NIO_OPEN, arg(1), boxed(0), argFlags(2, FLAGS, "write", "createNew")).guarded(Refusal.FILE_NIO),
        // java.io.File: the private path field the natives use, never getPath() (a subclass may lie);
        // scoped, as JDK 25 calls the overridable getPath() inside (getFileForSysCalls).
        // Deletes and renames report only what happened, or failed with an exception (n = the result).
        Hook.exit("file.File.delete", FILE, "delete", "()", DELETE_FILE,
            thisField(FILE, "path", STRING), NONE, RETURN).scoped().guarded(Refusal.FILE_SECURITY),
        Hook.exit("file.nio.implDelete", PROVIDER, "implDelete", "(Ljava/nio/file/Path;Z)",
            DELETE_PATH, arg(0), NONE, RETURN).guarded(Refusal.FILE_NIO),
        Hook.exit("file.File.renameTo", FILE, "renameTo", "(Ljava/io/File;)", RENAME_FILE,
            thisField(FILE, "path", STRING), argFieldOrThis(0, FILE, "path", STRING), RETURN).scoped()
            .guarded(Refusal.FILE_SECURITY),
        Hook.exit("file.nio.move", PROVIDER, "move", "(Ljava/nio/file/Path;Ljava/nio/file/Path;[Ljava/nio/file/CopyOption;)",
            RENAME, arg(0), arg(1), NONE).guarded(Refusal.FILE_NIO),
        // Directory listings: every File.list/listFiles ends in normalizedList (JDK 11 to 25), every
        // Files.list/walk/find/newDirectoryStream in the provider's newDirectoryStream.
        Hook.exit("file.File.list", FILE, "normalizedList", "()", LIST_FILE,
            thisField(FILE, "path", STRING), RETURN, NONE).scoped(),
        Hook.exit("file.nio.newDirectoryStream", PROVIDER, "newDirectoryStream",
            "(Ljava/nio/file/Path;Ljava/nio/file/DirectoryStream$Filter;)", LIST_PATH, arg(0), NONE, NONE),
        // A SecureDirectoryStream's own newDirectoryStream(relative) opens with openat(2) and builds
        // a stream on the child, its full path (directory + name) the constructor's first argument:
        // a probe there, silent inside the provider's listing above (which built the first one).
        Hook.probe("file.nio.secureDirectoryStream", "sun/nio/fs/UnixSecureDirectoryStream", "<init>",
            "(Lsun/nio/fs/UnixPath;JILjava/nio/file/DirectoryStream$Filter;)", LIST_PATH,
            arg(0), NONE, NONE).inner().onDemand(),
        // A SecureDirectoryStream's deleteFile/deleteDirectory and move act at its descriptor
        // (unlinkat(2), renameat(2)) on a name relative to it. Nested in a hooked call (a channel's
        // DELETE_ON_CLOSE) they report nothing.
        Hook.exit("file.nio.unlinkat", DISPATCHER, "unlinkat", "(I[BI)",
            DELETE_AT, arg(1), boxed(0), NONE),
        Hook.exit("file.nio.renameat", DISPATCHER, "renameat", "(I[BI[B)",
            RENAME_AT, args(0, 1, 2, 3), NONE, NONE),
        // open(2) for NIO, below the channel open: Files.copy and other JDK code reach it directly, and
        // so does a payload calling sun.nio.fs internals. Nested in any hooked call it reports nothing.
        // (Its native open0 cannot be wrapped: UnixNativeDispatcher is loaded before premain.)
        Hook.exit("file.nio.open", "sun/nio/fs/UnixNativeDispatcher", "open", "(Lsun/nio/fs/UnixPath;II)",
            NATIVE_OPEN, arg(0), NONE, arg(1)).inner());
  }
  // spotless:on

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (javaIoOpen(action, a, n, error, to)) {
      return;
    }
    switch (action) {
      case NIO_OPEN:
        {
          String path = DescriptorPaths.at(b, jdkPath(a));
          if ((n & 3) == 3 && error == null) {
            to.created(path);
          } else {
            to.file((n & 1) != 0 ? EventKind.FILE_WRITE : EventKind.FILE_READ, path, error);
          }
          return;
        }
      case DELETE_AT:
        to.file(
            EventKind.FILE_DELETE, DescriptorPaths.at(b, NativeStrings.string((byte[]) a)), error);
        return;
      case RENAME_AT:
        {
          // an ARGS value: the woven code always builds the array
          Object[] v = (Object[]) Objects.requireNonNull(a, "renameat arguments");
          to.rename(
              DescriptorPaths.at(v[0], NativeStrings.string((byte[]) v[1])),
              DescriptorPaths.at(v[2], NativeStrings.string((byte[]) v[3])),
              error);
          return;
        }
      case DELETE_FILE:
        if (n != 0 || error != null) {
          to.file(EventKind.FILE_DELETE, (String) a, error);
        }
        return;
      case DELETE_PATH:
        if (n != 0 || error != null) {
          to.file(EventKind.FILE_DELETE, jdkPath(a), error);
        }
        return;
      case RENAME_FILE:
        // renameTo returns false instead of throwing; a == b: renamed onto itself, or a null target
        // (read as this): nothing moved
        if ((n != 0 || error != null) && a != b) {
          to.rename((String) a, (String) b, error);
        }
        return;
      case RENAME:
        // Files.move returns nothing (n stays 0)
        to.rename(jdkPath(a), jdkPath(b), error);
        return;
      case LIST_FILE:
        // a File that names no readable directory lists nothing (null): not a listing
        if (b != null || error != null) {
          to.listing((String) a, error);
        }
        return;
      case LIST_PATH:
        to.listing(jdkPath(a), error);
        return;
      case NATIVE_OPEN:
        {
          // O_ACCMODE: O_WRONLY 1, O_RDWR 2
          to.file((n & 3) != 0 ? EventKind.FILE_WRITE : EventKind.FILE_READ, jdkPath(a), error);
          return;
        }
      default:
        throw new IllegalArgumentException("file hook action " + action);
    }
  }

  /**
   * The java.io opens, most of a file loop's guarded calls, take a short route: small enough for
   * the JIT to inline the whole entry decision. Everything else is decoded by {@link #observe}.
   */
  @Override
  public void decide(int action, @Nullable Object a, @Nullable Object b, int n, Observations to) {
    if (!javaIoOpen(action, a, n, null, to)) {
      observe(action, a, b, n, null, to);
    }
  }

  /**
   * A {@code FileInputStream}, {@code FileOutputStream} or {@code RandomAccessFile} open (the path
   * as the JDK got it), decoded into {@code to}; false for any other action. One decoding for the
   * report at exit and the decision at entry.
   */
  private static boolean javaIoOpen(
      int action, @Nullable Object a, int n, @Nullable Throwable error, Observations to) {
    switch (action) {
      case READ:
        to.file(EventKind.FILE_READ, (String) a, error);
        return true;
      case WRITE:
        to.file(EventKind.FILE_WRITE, (String) a, error);
        return true;
      case RANDOM_ACCESS:
        to.file((n & 2) != 0 ? EventKind.FILE_WRITE : EventKind.FILE_READ, (String) a, error);
        return true;
      default:
        return false;
    }
  }

  /**
   * A JDK path's text, or null for an object of the application's (a Path of its own file system
   * reaching the Unix provider, which rejects it before any I/O): the agent never calls application
   * code from a hook — an overridden toString() could lie, or do I/O of its own inside the hook.
   */
  static @Nullable String jdkPath(@Nullable Object path) {
    return path != null && path.getClass().getClassLoader() == null ? path.toString() : null;
  }
}
