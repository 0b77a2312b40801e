package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * The cache keys a file's occurrence lives under besides its path: its name's shape ({@link
 * NamePatterns}), under which the first file of each shape in a directory is found, and the key of
 * an occurrence its path no longer opens. Application thread, first sight only.
 */
@NullMarked
final class FileShapes {
  private final FileTargets files;

  FileShapes(FileTargets files) {
    this.files = files;
  }

  /**
   * The first file reported of {@code path}'s shape in the same directory, which this file not seen
   * before is counted as a repeat of; null when there is none, or when the real path has another
   * shape (a link among the temp files, pointing elsewhere: its own event). {@code real}: the real
   * path found on this first sight ({@link FileTargets#look}).
   */
  @Nullable Occurrence knownShape(
      Cache<Object, Occurrence> cache, String path, @Nullable String real) {
    String normalised = files.normalise(path);
    String shape = NamePatterns.of(normalised);
    if (shape == null) {
      return null;
    }
    Occurrence first = cache.getIfPresent(new Shape(shape));
    if (first == null || first == Occurrence.IGNORED || first.evicted) {
      return null; // (an evicted first is no longer flushed: this file is reported on its own)
    }
    String judged =
        first.target().getFile().getRealPath().isEmpty()
            ? first.target().getFile().getPath()
            : first.target().getFile().getRealPath();
    String realShape = real == null || real.equals(normalised) ? shape : NamePatterns.of(real);
    if (!shape.equals(realShape)
        && !(realShape != null && realShape.equals(NamePatterns.of(judged)))) {
      return null;
    }
    return first;
  }

  /** Registers {@code first}, just reported, as the first of its shape in its directory. */
  static void registerFirst(
      Cache<Object, Occurrence> cache, EventKind kind, Event.Builder event, Occurrence first) {
    if (event.hasFile() && kind != EventKind.FILE_RENAME && !event.getFile().getDirectory()) {
      String shape = NamePatterns.of(event.getFile().getPath());
      if (shape != null) {
        cache.asMap().putIfAbsent(new Shape(shape), first);
      }
    }
  }

  /** Whether {@code key} is a shape's key: its occurrence is also under its path (counted once). */
  static boolean isShapeKey(@Nullable Object key) {
    return key instanceof Shape;
  }

  /**
   * A watched path that opens another file now than at first sight: its occurrence is kept (under a
   * key of its own, still flushed) and the path is free to be reported as new.
   */
  static void swappedAway(Cache<Object, Occurrence> cache, Object key, Occurrence old) {
    if (cache.asMap().remove(key, old)) {
      cache.put(new Former(old), old);
    }
  }

  /** The cache key of a name's shape: never equal to a path key. */
  private static final class Shape {
    private final String shape;

    Shape(String shape) {
      this.shape = shape;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Shape && ((Shape) o).shape.equals(shape);
    }

    @Override
    public int hashCode() {
      return shape.hashCode() * 31 + 7;
    }
  }

  /** The cache key of an occurrence its path no longer opens: equal only to itself. */
  private static final class Former {
    private final Occurrence occurrence;

    Former(Occurrence occurrence) {
      this.occurrence = occurrence;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Former && ((Former) o).occurrence == occurrence;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(occurrence);
    }
  }
}
