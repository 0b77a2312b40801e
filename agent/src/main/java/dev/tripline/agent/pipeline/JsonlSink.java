package dev.tripline.agent.pipeline;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.EventBatch;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** {@code sink=jsonl:<path>}: one JSON object per event per line, appended. For debugging and broker-less tests. */
final class JsonlSink implements EventSink {
  private final String path;
  private final AgentStats stats;
  private OutputStream out;

  JsonlSink(String path, AgentStats stats) {
    this.path = path;
    this.stats = stats;
  }

  @Override
  public void publish(EventBatch batch, Consumer<EventBatch> onLost) {
    try {
      if (out == null) {
        out = new FileOutputStream(path, true);
      }
      StringBuilder sb = new StringBuilder(256 * Math.max(1, batch.getEventsCount()));
      for (int i = 0; i < batch.getEventsCount(); i++) {
        EventJson.write(sb, batch.getAgent(), batch.getEvents(i));
        sb.append('\n');
      }
      if (batch.hasHealth()) {
        EventJson.writeHealth(sb, batch.getAgent(), batch.getHealth());
        sb.append('\n');
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      stats.sent(batch.getEventsCount());
    } catch (IOException e) {
      stats.dropped(AgentStats.TRANSPORT, batch.getEventsCount());
      onLost.accept(batch);
    }
  }

  @Override
  public void close() {
    try {
      if (out != null) out.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }
}
