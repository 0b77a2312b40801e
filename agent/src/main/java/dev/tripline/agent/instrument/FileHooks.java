package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.RETURN;
import static dev.tripline.agent.instrument.Hook.Value.THIS;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.pipeline.Observations;
import dev.tripline.model.EventKind;
import java.io.File;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

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

  private static final String FACTORY = "sun/nio/fs/UnixChannelFactory";
  private static final String PROVIDER = "sun/nio/fs/UnixFileSystemProvider";

  FileHooks() {
    super("file");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.exit("file.FileInputStream.open", "java/io/FileInputStream", "open", "(Ljava/lang/String;)",
            READ, arg(0), NONE, NONE),
        Hook.exit("file.FileOutputStream.open", "java/io/FileOutputStream", "open", "(Ljava/lang/String;Z)",
            WRITE, arg(0), NONE, NONE),
        // mode bit 2 is O_RDWR
        Hook.exit("file.RandomAccessFile.open", "java/io/RandomAccessFile", "open", "(Ljava/lang/String;I)",
            RANDOM_ACCESS, arg(0), NONE, arg(1)),
        // The NIO open lost its permission-check path argument in JDK 25: one row per shape, one matches.
        Hook.exit("file.nio.newFileChannel", FACTORY, "newFileChannel",
            "(ILsun/nio/fs/UnixPath;Ljava/lang/String;Ljava/util/Set;I)", NIO_OPEN, arg(1), arg(3), NONE),
        Hook.exit("file.nio.newFileChannel", FACTORY, "newFileChannel",
            "(ILsun/nio/fs/UnixPath;Ljava/util/Set;I)", NIO_OPEN, arg(1), arg(2), NONE),
        Hook.exit("file.nio.newAsynchronousFileChannel", FACTORY, "newAsynchronousFileChannel",
            "(Lsun/nio/fs/UnixPath;Ljava/util/Set;ILsun/nio/ch/ThreadPool;)", NIO_OPEN, arg(0), arg(1), NONE),
        // Deletes and renames report only what happened, or failed with an exception (n = the result).
        Hook.exit("file.File.delete", "java/io/File", "delete", "()", DELETE_FILE, THIS, NONE, RETURN),
        Hook.exit("file.nio.implDelete", PROVIDER, "implDelete", "(Ljava/nio/file/Path;Z)",
            DELETE_PATH, arg(0), NONE, RETURN),
        Hook.exit("file.File.renameTo", "java/io/File", "renameTo", "(Ljava/io/File;)", RENAME, THIS, arg(0), RETURN),
        Hook.exit("file.nio.move", PROVIDER, "move", "(Ljava/nio/file/Path;Ljava/nio/file/Path;[Ljava/nio/file/CopyOption;)",
            RENAME, arg(0), arg(1), NONE),
        // open(2) for NIO, below newFileChannel: Files.copy and other JDK code reach it directly, and
        // so does a payload calling sun.nio.fs internals. Nested in a hooked open it reports nothing.
        // (Its native open0 cannot be wrapped: UnixNativeDispatcher is loaded before premain.)
        Hook.exit("file.nio.open", "sun/nio/fs/UnixNativeDispatcher", "open", "(Lsun/nio/fs/UnixPath;II)",
            NATIVE_OPEN, arg(0), NONE, arg(1)));
  }
  // spotless:on

  @Override
  public void observe(int action, Object a, Object b, int n, Throwable error, Observations to) {
    switch (action) {
      case READ:
        to.file(EventKind.FILE_READ, (String) a, error);
        return;
      case WRITE:
        to.file(EventKind.FILE_WRITE, (String) a, error);
        return;
      case RANDOM_ACCESS:
        to.file((n & 2) != 0 ? EventKind.FILE_WRITE : EventKind.FILE_READ, (String) a, error);
        return;
      case NIO_OPEN:
        to.file(
            writes((Set<?>) b) ? EventKind.FILE_WRITE : EventKind.FILE_READ, a.toString(), error);
        return;
      case DELETE_FILE:
      case DELETE_PATH:
        if (n != 0 || error != null) {
          to.file(EventKind.FILE_DELETE, path(a), error);
        }
        return;
      case RENAME:
        // File.renameTo returns false instead of throwing; Files.move returns nothing (n stays 0)
        if (!(a instanceof File) || n != 0 || error != null) {
          to.rename(path(a), b == null ? null : path(b), error);
        }
        return;
      case NATIVE_OPEN:
        {
          // O_ACCMODE: O_WRONLY 1, O_RDWR 2
          to.file(
              (n & 3) != 0 ? EventKind.FILE_WRITE : EventKind.FILE_READ, String.valueOf(a), error);
          return;
        }
      default:
        throw new IllegalArgumentException("file hook action " + action);
    }
  }

  private static boolean writes(Set<?> options) {
    return options != null
        && (options.contains(StandardOpenOption.WRITE)
            || options.contains(StandardOpenOption.APPEND));
  }

  private static String path(Object fileOrPath) {
    return fileOrPath instanceof File ? ((File) fileOrPath).getPath() : String.valueOf(fileOrPath);
  }
}
