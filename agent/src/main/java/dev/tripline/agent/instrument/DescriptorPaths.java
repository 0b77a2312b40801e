package dev.tripline.agent.instrument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The full path of a name given relative to a directory descriptor ({@code openat(2)}, {@code
 * unlinkat(2)}, {@code renameat(2)}: what a {@code SecureDirectoryStream} does). The directory is
 * what the kernel holds for that descriptor now ({@code /proc/self/fd/N}), not a name the
 * application gave once: the stream's directory may have been renamed or swapped since it was
 * opened. Only for a relative name at a descriptor, never on the plain open's path.
 */
final class DescriptorPaths {
  private DescriptorPaths() {}

  /**
   * {@code name} resolved against directory descriptor {@code dfd} (an {@code Integer}); {@code
   * name} itself when it is absolute, null, or there is no descriptor (negative: the working
   * directory). When the descriptor cannot be read back (no {@code /proc}), the path through {@code
   * /proc/self/fd}: still where the kernel went, never the working directory.
   */
  static @Nullable String at(@Nullable Object dfd, @Nullable String name) {
    if (name == null || !(dfd instanceof Integer) || (Integer) dfd < 0 || name.startsWith("/")) {
      return name;
    }
    String fd = "/proc/self/fd/" + dfd;
    String dir = fd;
    // Replayed on the agent's own thread (seen before the recorder existed, bootstrap.EarlyBuffer):
    // the descriptor may be closed, or reused for another directory, by now. Reported as the path
    // through the descriptor, never as a directory it may no longer be.
    if (!Thread.currentThread().getName().startsWith("tripline-")) {
      try {
        dir = Files.readSymbolicLink(Path.of(fd)).toString();
      } catch (IOException | RuntimeException e) {
        // no /proc: the path through the descriptor
      }
    }
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
