package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Event;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Act, then halt" with the Kafka sink: the halt waits until the producer has sent what the
 * pipeline handed it, not only until the pipeline handed it over. The application halts without
 * waiting for the agent (the halt comes during its start-up: the producer is still being created).
 */
@ExtendWith(KafkaBroker.class)
class HaltKafkaIT {
  private static final int CONNECTS = 40;

  @OnEveryJdk
  void theProducerSendsBeforeTheJvmHalts(Path java, EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    String topic = "it.halt." + Math.abs(java.toString().hashCode());
    KafkaPipelineIT.createTopic(kafka, topic);
    AgentRun run =
        AgentRun.testApp(
            java,
            dir,
            "dev.tripline.testapp.HaltApp",
            KafkaPipelineIT.agentProps(
                kafka.bootstrapServers(),
                topic,
                "halt-svc",
                "-Dtripline.sink=kafka",
                "-Dtripline.halt.wait=2m"),
            String.valueOf(CONNECTS),
            "early");
    assertEquals(3, run.exitCode, run::toString);
    Set<String> expected = new TreeSet<>();
    for (int i = 1; i <= CONNECTS; i++) {
      expected.add("127.0.9." + i);
    }
    // the JVM is gone: what it sent is on the topic, read until all is there (or Patience.WAIT)
    try (BatchConsumer topicReader = new BatchConsumer(kafka.bootstrapServers(), topic)) {
      Set<String> reached = new TreeSet<>();
      long deadline = System.nanoTime() + Patience.WAIT.toNanos();
      while (!reached.containsAll(expected) && System.nanoTime() < deadline) {
        for (Event e : topicReader.events()) {
          String ip = e.getNetwork().getIp();
          if (ip.startsWith("127.0.9.")) {
            reached.add(ip);
          }
        }
      }
      assertEquals(expected, reached, run::toString);
    }
  }
}
