package dev.tripline.agent.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Strings the application chooses, at sizes an attacker chooses, through a real broker. */
@ExtendWith(KafkaBroker.class)
class HostileInputIT {
  @OnEveryJdk
  void aMegabyteFileNameAndArgvAreCutWithAMarkerAndTheirBatchesAreDelivered(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String topic = "it.hostile." + Math.abs(java.toString().hashCode());
    KafkaPipelineIT.createTopic(kafka, topic);
    Path files = dir.resolve("files");
    AgentRun run =
        AgentRun.testApp(
                java,
                dir,
                "dev.tripline.testapp.LongNamesApp",
                KafkaPipelineIT.agentProps(
                    kafka.bootstrapServers(), topic, "long-names", "-Dtripline.sink=kafka"),
                files.toString())
            .assertFinished("LONGNAMES DONE");
    assertTrue(run.output.contains("long name refused as expected"), run.output);
    assertTrue(
        !run.output.contains("RecordTooLarge") && !run.output.contains("[tripline] agent disabled"),
        run.output);

    try (BatchConsumer topicReader = new BatchConsumer(kafka.bootstrapServers(), topic)) {
      String after = files.resolve("after.txt").toString();
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  topicReader.sawFile(after)
                      && topicReader.events().stream()
                          .anyMatch(e -> e.getKind() == EventKind.PROCESS_SPAWN));
      List<Event> events = topicReader.events();

      Event read =
          events.stream()
              .filter(
                  e ->
                      e.getKind() == EventKind.FILE_READ
                          && e.getFile().getPath().startsWith(files.toString())
                          && e.getFile().getPath().endsWith("/secret.txt"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(events));
      String path = read.getFile().getPath();
      assertTrue(path.length() <= 4096 + 30, "capped: " + path.length() + " chars");
      assertTrue(
          path.matches("(?s).*…\\[\\+\\d+ chars]….*"),
          "a visible marker: " + path.substring(3000, 3200));
      assertTrue(path.endsWith("/secret.txt"), "the tail (the file name) is kept");
      assertTrue(path.startsWith(files + "/abcdefghijklmnopqrstuvwxyz"), "the head is kept");
      assertEquals(false, read.getSuccess());
      assertEquals("testapp.jar", read.getCallSite().getJarName());

      Event spawn =
          events.stream().filter(e -> e.getKind() == EventKind.PROCESS_SPAWN).findFirst().get();
      List<String> argv = spawn.getProcess().getArgvList();
      assertTrue(argv.size() <= 256, "at most 256 arguments: " + argv.size());
      assertEquals("/bin/true", argv.get(0));
      assertEquals("--last", argv.get(argv.size() - 1), "the last arguments are kept");
      assertTrue(
          argv.stream().anyMatch(a -> a.matches("…\\[\\+\\d+ args]…")),
          "a marker for the arguments left out");
      assertTrue(
          argv.stream().mapToInt(String::length).sum() <= 65_536 + 256 * 30,
          "argv within its budget");
      assertTrue(argv.get(1).matches("x+…\\[\\+\\d+ chars]…x*0000000000"), argv.get(1));

      // 500 long names seen twice: their repeats (~1.5 MB) arrive, split over records Kafka
      // accepts.
      java.util.concurrent.Callable<Long> many =
          () ->
              topicReader.events().stream()
                  .filter(
                      e ->
                          e.getKind() == EventKind.FILE_READ
                              && e.getFile().getPath().contains("/many-"))
                  .mapToLong(Event::getCount)
                  .sum();
      try {
        await().atMost(Patience.WAIT).until(() -> many.call() >= 1000);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "long names seen " + many.call() + " times of 1000; " + run.output, e);
      }
      assertTrue(
          !run.output.contains("RecordTooLarge") && !run.output.contains("too large"), run.output);
    }
  }
}
