package dev.tripline.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.Main;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code notify}'s refusals: no Kafka given, or nothing that could run. */
@ExtendWith(KafkaBroker.class)
class NotifyCommandTest {
  @Test
  void notifyNeedsAKafkaAndAnOutputThatRuns(EmbeddedKafka kafka) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertEquals(2, Main.execute("notify"));
      assertTrue(
          out.toString(StandardCharsets.UTF_8)
              .contains("'bootstrap.servers': notify needs the Kafka the collectors use"),
          out.toString(StandardCharsets.UTF_8));
      out.reset();
      assertEquals(
          2,
          Main.execute(
              "notify",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--set",
              "output.soc.type=webhok"));
      String said = out.toString(StandardCharsets.UTF_8);
      assertTrue(said.contains("output 'soc' is off: configuration key 'output.soc.type'"), said);
      assertTrue(said.contains("no output runs"), said);
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }
}
