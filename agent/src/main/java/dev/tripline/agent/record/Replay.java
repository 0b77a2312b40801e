package dev.tripline.agent.record;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.bootstrap.EarlyBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * What the hooks saw before the recorder existed, recorded on the pipeline thread as if live: each
 * early observation with its own thread, stack and time ({@link #current}), and without the sampled
 * call-site look of a repeat (the stack walked would be the pipeline's).
 */
@NullMarked
final class Replay {
  /** Set while the pipeline thread replays. */
  private volatile @Nullable Thread replayer;

  private EarlyBuffer.@Nullable Observation current;

  void run(
      List<EarlyBuffer.Observation> early,
      Consumer<EarlyBuffer.Observation> dispatch,
      AgentStats stats) {
    replayer = Thread.currentThread();
    try {
      for (EarlyBuffer.Observation o : early) {
        current = o;
        try {
          dispatch.accept(o);
        } catch (RuntimeException | LinkageError e) {
          stats.error();
        }
      }
    } finally {
      current = null;
      replayer = null;
    }
  }

  /** The early observation being replayed on this thread, or null when recording live. */
  EarlyBuffer.@Nullable Observation current() {
    return replayer == Thread.currentThread() ? current : null;
  }
}
