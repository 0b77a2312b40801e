package dev.tripline.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 case 8: a FIFO (or any non-regular file) as the jsonl: sink is refused at once. */
class JsonlSinkTest {
  private static final EventBatch BATCH =
      EventBatch.newBuilder()
          .setAgent(AgentIdentity.newBuilder().setService("shop").setInstanceId("i-1"))
          .addEvents(Event.newBuilder().setKind(EventKind.FILE_READ).setCount(1))
          .addEvents(Event.newBuilder().setKind(EventKind.FILE_READ).setCount(1))
          .build();

  @Test
  void aFifoWithNoReaderIsRefusedWithOneLineNotWaitedFor(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("events.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor());
    AgentStats stats = new AgentStats();
    JsonlSink sink = new JsonlSink(fifo.toString(), stats);
    String said =
        stderrOf(
            () ->
                // Opening a FIFO with no reader would block for ever: the bound proves it never
                // does.
                assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> {
                      for (int i = 0; i < 3; i++) sink.publish(BATCH, lost -> {});
                    }));
    assertEquals(6, stats.droppedCount(AgentStats.SINK_UNWRITABLE), "every event counted");
    assertEquals(1, said.lines().count(), "one line, not one per batch: " + said);
    assertTrue(said.contains("jsonl:" + fifo) && said.contains("not a regular file"), said);
    sink.close();
  }

  @Test
  void aRegularFileStillGetsEveryEvent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("events.jsonl");
    AgentStats stats = new AgentStats();
    JsonlSink sink = new JsonlSink(file.toString(), stats);
    sink.publish(BATCH, lost -> {});
    sink.publish(BATCH, lost -> {});
    sink.close();
    assertEquals(4, Files.readAllLines(file).size());
    assertEquals(0, stats.droppedCount(AgentStats.SINK_UNWRITABLE));
  }

  private static String stderrOf(Runnable r) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(original);
    }
    return err.toString(StandardCharsets.UTF_8);
  }
}
