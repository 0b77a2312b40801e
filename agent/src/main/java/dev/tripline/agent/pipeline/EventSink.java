package dev.tripline.agent.pipeline;

import dev.tripline.model.EventBatch;
import java.util.function.Consumer;

/**
 * Where finished batches go: Kafka, a JSON-lines file, or nowhere.
 *
 * <p>Called only from the agent's single pipeline thread, never from application threads.
 * Implementations must not block for long: when the destination is slow or down they report the
 * batch lost (and the pipeline folds its events back into the next flush), they never throw.
 */
public interface EventSink extends AutoCloseable {

  /** Hands one batch over for delivery. Never throws. */
  default void publish(EventBatch batch) {
    publish(batch, lost -> {});
  }

  /** Hands one batch over; {@code onLost} runs (on any thread) if it cannot be delivered. */
  void publish(EventBatch batch, Consumer<EventBatch> onLost);

  /**
   * Before the JVM halts: returns once what was handed over is delivered, as far as this sink can
   * tell (the halting thread waits for it within its own bound, so this may block). Never throws.
   */
  default void flush() {}

  /** Flushes what can be flushed within a short bound and releases resources. Never throws. */
  @Override
  void close();
}
