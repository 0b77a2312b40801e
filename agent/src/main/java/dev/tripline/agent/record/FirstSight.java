package dev.tripline.agent.record;

import dev.tripline.model.Event;
import dev.tripline.model.RequestContext;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * A new behaviour as its application thread saw it, before its call site is named: the described
 * target, the stack walked but not resolved, the thread, time and outcome. Immutable; {@link
 * FirstSights} completes it into the occurrence's event, on the pipeline thread.
 */
@NullMarked
final class FirstSight {
  /** Kind and target, as {@link EventDescriber} describes them (no call site yet). */
  private final Target target;

  /** The whole stack, innermost first (the hook's own frames included: the scan skips them). */
  final List<StackWalker.StackFrame> frames;

  final String threadName;
  final boolean virtual;
  final long timeMs;

  /** The failure's class name, or null when the operation succeeded. */
  final @Nullable String error;

  /** Replayed from before the recorder existed: no CODE_ORIGIN event for its call site. */
  final boolean replayed;

  /** The inbound request the thread was serving, read on that thread (the server recycles it). */
  final @Nullable RequestContext request;

  private final FirstSights completer;

  FirstSight(
      Target target,
      List<StackWalker.StackFrame> frames,
      String threadName,
      boolean virtual,
      long timeMs,
      @Nullable String error,
      boolean replayed,
      @Nullable RequestContext request,
      FirstSights completer) {
    this.target = target;
    this.frames = frames;
    this.threadName = threadName;
    this.virtual = virtual;
    this.timeMs = timeMs;
    this.error = error;
    this.replayed = replayed;
    this.request = request;
    this.completer = completer;
  }

  /** Kind and target, described (on first ask, for a target left to describe later). */
  Event described() {
    return target.get();
  }

  Event complete() {
    return completer.complete(this);
  }

  /** Completed and kept: its frames no longer count against the drafts' bound. */
  void done() {
    completer.released(frames.size());
  }

  /**
   * A first sight's target: described on the application thread, or — where no filter can drop it
   * (a peer, when no host is excluded) — described on first ask from the little the application
   * thread read (a peer: its address as given and port), usually by the pipeline thread. Either way
   * the same {@code Event}: describing is deterministic, so two threads asking at once build equal
   * ones and either may be kept.
   */
  static final class Target {
    private volatile @Nullable Event event;
    private final @Nullable Supplier<Event> later;

    Target(Event described) {
      this.event = described;
      this.later = null;
    }

    Target(Supplier<Event> later) {
      this.later = later;
    }

    Event get() {
      Event e = event;
      if (e == null) {
        e = Objects.requireNonNull(later).get();
        event = e;
      }
      return e;
    }
  }
}
