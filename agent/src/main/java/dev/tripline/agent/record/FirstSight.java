package dev.tripline.agent.record;

import dev.tripline.model.Event;
import java.util.List;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * A new behaviour as its application thread saw it, before its call site is named: the described
 * target, the stack walked but not resolved, the thread, time and outcome. Immutable; {@link
 * FirstSights} completes it into the occurrence's event, on the pipeline thread.
 */
@NullMarked
final class FirstSight {
  /** Kind and target, as {@link EventDescriber} described them (no call site yet). */
  final Event described;

  /** The whole stack, innermost first (the hook's own frames included: the scan skips them). */
  final List<StackWalker.StackFrame> frames;

  final String threadName;
  final boolean virtual;
  final long timeMs;

  /** The failure's class name, or null when the operation succeeded. */
  final @Nullable String error;

  /** Replayed from before the recorder existed: no CODE_ORIGIN event for its call site. */
  final boolean replayed;

  private final FirstSights completer;

  FirstSight(
      Event described,
      List<StackWalker.StackFrame> frames,
      String threadName,
      boolean virtual,
      long timeMs,
      @Nullable String error,
      boolean replayed,
      FirstSights completer) {
    this.described = described;
    this.frames = frames;
    this.threadName = threadName;
    this.virtual = virtual;
    this.timeMs = timeMs;
    this.error = error;
    this.replayed = replayed;
    this.completer = completer;
  }

  Event complete() {
    return completer.complete(this);
  }

  /** Completed and kept: its frames no longer count against the drafts' bound. */
  void done() {
    completer.released(frames.size());
  }
}
