package dev.tripline.agent;

import dev.tripline.agent.instrument.Hooks;
import dev.tripline.agent.record.EarlySights;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The start-up buffer's look at a file observation as it is made ({@code EarlyBuffer.lookAtOnce}):
 * the hook's group decodes {@code {hook, a, b, n, error}} as it will at the replay, into an {@link
 * EarlySights} collector. On the application's thread, once per new observation kept.
 */
final class StartupLooks implements Function<Object[], Object> {
  private final Hooks hooks;

  /**
   * Made at the first look, not in {@code premain} (its classes load then, off the start-up path);
   * two threads may each make one: two caches of directories, no harm.
   */
  private volatile @Nullable EarlySights sights;

  StartupLooks(Hooks hooks) {
    this.hooks = hooks;
  }

  @Override
  public @Nullable Object apply(Object[] o) {
    EarlySights s = sights;
    if (s == null) {
      s = new EarlySights();
      sights = s;
    }
    EarlySights.Collector c = s.collector();
    hooks.observe((Integer) o[0], o[1], o[2], (Integer) o[3], (Throwable) o[4], c);
    return c.result();
  }
}
