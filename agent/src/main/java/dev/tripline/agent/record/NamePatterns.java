package dev.tripline.agent.record;

import dev.tripline.config.path.PathShapes;
import org.jspecify.annotations.Nullable;

/**
 * The shape of a file name that changes with every run of the same code: {@code part-00017}, {@code
 * app-2026-11-25.log}, in a temp directory {@code upload-8f3a9c1e.tmp}. Every temp file and upload
 * is new; without this, each would pay for a stack walk, a protobuf event and a slot in the queue.
 * After the first file of a shape in a directory, the others of that shape are counted as its
 * repeats.
 *
 * <p>Never coarser than the collector: the directory is kept as it is, and the name folds by the
 * collector's own rules ({@link PathShapes#nameShape}, one copy both programs bundle; a property
 * test holds that two names of one shape here are one profile entry there), so nothing an analyst
 * would have been alerted to is folded away. Each file's real path is still resolved, and one whose
 * real path has another shape (a symlink planted among the temp files) is reported on its own.
 */
final class NamePatterns {
  private NamePatterns() {}

  /**
   * The path with its last element folded to its shape, or null when the name has nothing to fold —
   * or when the path is longer than the agent reports a string ({@link Caps#MAX_CHARS}): the
   * collector keys the cut string, not this one, so a shape of the whole path would fold names the
   * collector keeps apart (found by {@code AgentFoldImpliesCollectorKeyTest}).
   */
  static @Nullable String of(String path) {
    return path.length() > Caps.MAX_CHARS ? null : PathShapes.nameShape(path);
  }
}
