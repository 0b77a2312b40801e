package dev.tripline.agent.pipeline;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.EventBatch;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds the sink named by {@code tripline.sink}. The Kafka sink comes from {@code kafka}: this
 * package does not know the transport it hands batches to.
 */
public final class Sinks {
  private Sinks() {}

  public static EventSink create(AgentConfig config, AgentStats stats, Supplier<EventSink> kafka) {
    String sink = config.get(AgentKeys.SINK);
    if (sink.startsWith("jsonl:")) {
      return new JsonlSink(sink.substring(6), stats);
    }
    if (sink.equals("none")) {
      return new EventSink() {
        @Override
        public void publish(EventBatch batch, Consumer<EventBatch> onLost) {
          stats.sent(batch.getEventsCount());
        }

        @Override
        public void close() {}
      };
    }
    return kafka.get();
  }
}
