package dev.tripline.agent;

import dev.tripline.agent.instrument.Hooks;
import dev.tripline.agent.record.EarlySights;
import java.util.function.Function;

/**
 * The start-up buffer's look at a file observation as it is made ({@code EarlyBuffer.lookAtOnce}):
 * the hook's group decodes {@code {hook, a, b, n, error}} as it will at the replay, into an {@link
 * EarlySights} collector. On the application's thread, once per new observation kept.
 */
final class StartupLooks implements Function<Object[], Object> {
  private final Hooks hooks;
  private final EarlySights sights = new EarlySights();

  StartupLooks(Hooks hooks) {
    this.hooks = hooks;
  }

  @Override
  public Object apply(Object[] o) {
    EarlySights.Collector c = sights.collector();
    hooks.observe((Integer) o[0], o[1], o[2], (Integer) o[3], (Throwable) o[4], c);
    return c.result();
  }
}
