package dev.tripline.agent.pipeline;

import dev.tripline.model.EventBatch;

/**
 * Where finished batches go: Kafka, a JSON-lines file, or nowhere.
 *
 * <p>Called only from the agent's single pipeline thread, never from application threads.
 * Implementations must not block for long: when the destination is slow or down they drop
 * and count in {@link dev.tripline.agent.health.AgentStats}, they never throw.
 */
public interface EventSink extends AutoCloseable {

  /** Hands one batch over for delivery. Never throws. */
  void publish(EventBatch batch);

  /** Flushes what can be flushed within a short bound and releases resources. Never throws. */
  @Override
  void close();
}
