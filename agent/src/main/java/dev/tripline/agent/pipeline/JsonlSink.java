package dev.tripline.agent.pipeline;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.EventBatch;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@code sink=jsonl:<path>}: one JSON object per event per line, appended. For debugging and
 * broker-less tests.
 *
 * <p>Only a regular file (or a path not there yet) is opened: opening a FIFO blocks until a reader
 * appears (and writing blocks when the reader stalls), a device or a directory is never a log. Java
 * cannot open a file without blocking, so anything else is refused before the open, with one line
 * on stderr, and its events are counted as dropped ({@code sink_unwritable}).
 */
final class JsonlSink implements EventSink {
  private final String path;
  private final AgentStats stats;
  private @Nullable OutputStream out;
  private final Set<String> warned = new HashSet<>();

  JsonlSink(String path, AgentStats stats) {
    this.path = path;
    this.stats = stats;
  }

  @Override
  public void publish(EventBatch batch, Consumer<EventBatch> onLost) {
    try {
      if (out == null) {
        File file = new File(path);
        if (file.exists() && !file.isFile()) {
          throw new IOException(
              "not a regular file (a FIFO, device or directory would block or never hold a log);"
                  + " refused");
        }
        out = new FileOutputStream(file, true);
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
      // A debugging sink: nothing is kept for later, but the loss is counted and said, never
      // silent.
      stats.batchFailed();
      stats.dropped(AgentStats.SINK_UNWRITABLE, batch.getEventsCount());
      warnOnce(e);
      close();
      out = null; // reopened on the next batch: the directory may appear, the disk may free up
    }
  }

  private void warnOnce(IOException e) {
    String cause = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (warned.size() < 4 && warned.add(cause)) {
      System.err.println(
          "[tripline] cannot write events to jsonl:"
              + path
              + ": "
              + cause
              + "; the application runs on, events are dropped and counted as "
              + AgentStats.SINK_UNWRITABLE);
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
