package dev.tripline.collector.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.Patience;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar tripline-collector.jar run} as a user runs it: embedded Kafka, topics, Ctrl-C,
 * resume.
 */
class RunCommandIT {
  private static final Pattern BOOTSTRAP = Pattern.compile("Kafka bootstrap servers: (\\S+)");

  @Test
  void runServesAnEmbeddedKafkaThatKeepsItsDataAcrossRestarts(@TempDir Path dataDir)
      throws Exception {
    String value = "external-producer-" + System.nanoTime();
    try (Collector first = Collector.start(dataDir)) {
      try (Admin admin = Admin.create(props(first.bootstrap))) {
        Set<String> topics =
            admin.listTopics().names().get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(
            topics.containsAll(
                List.of(
                    "tripline.events",
                    "tripline.alerts",
                    "tripline.alerts.json",
                    "tripline.deadletter",
                    "tripline.actions")),
            "topics created: " + topics);
      }
      Properties p = props(first.bootstrap);
      try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer
            .send(new ProducerRecord<>("tripline.events", "svc", value))
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      // The JVM reports 143 (128 + SIGTERM) after its shutdown hooks ran: that is a clean stop.
      assertEquals(143, first.stop(), first.output());
      assertTrue(first.output().contains("Stopped."), "shutdown hook completed: " + first.output());
    }
    try (Collector second = Collector.start(dataDir)) {
      Properties p = props(second.bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "it");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<String> seen = new CopyOnWriteArrayList<>();
      try (var consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("tripline.events"));
        await()
            .atMost(Patience.WAIT)
            .until(
                () -> {
                  consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                  return seen.contains(value);
                });
      }
      assertTrue(
          second.output().contains("data in " + dataDir.resolve("kafka").toAbsolutePath()),
          second.output());
    }
  }

  @Test
  void aMistypedSettingIsOneClearLineAndExitCode2(@TempDir Path dataDir) throws Exception {
    Process p =
        new ProcessBuilder(
                java(),
                "-jar",
                jar(),
                "run",
                "--data-dir",
                dataDir.toString(),
                "--set",
                "learning.perod=1h")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), out);
    assertTrue(
        out.contains("'learning.perod'") && out.contains("did you mean 'learning.period'"), out);
  }

  private static Properties props(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String jar() {
    return System.getProperty("tripline.collector.jar", "target/tripline-collector.jar");
  }

  /** A collector in its own JVM, output captured. */
  static final class Collector implements AutoCloseable {
    final Process process;
    final StringBuffer out = new StringBuffer();
    Thread reader;
    String bootstrap;

    private Collector(Process process) {
      this.process = process;
    }

    static Collector start(Path dataDir) throws IOException {
      Process p =
          new ProcessBuilder(
                  java(),
                  "-Xmx512m",
                  "-jar",
                  jar(),
                  "run",
                  "--data-dir",
                  dataDir.toString(),
                  "--http-port",
                  "0",
                  "--set",
                  "embedded.port=0")
              .redirectErrorStream(true)
              .start();
      Collector c = new Collector(p);
      Thread reader =
          c.reader =
              new Thread(
                  () -> {
                    try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                      for (String line; (line = r.readLine()) != null; ) {
                        c.out.append(line).append('\n');
                      }
                    } catch (IOException ignored) {
                      // process ended
                    }
                  });
      reader.setDaemon(true);
      reader.start();
      await()
          .atMost(Patience.WAIT)
          .until(
              () -> {
                Matcher m = BOOTSTRAP.matcher(c.out);
                if (!p.isAlive()) {
                  throw new AssertionError("collector exited: " + c.out);
                }
                return m.find() && (c.bootstrap = m.group(1)) != null;
              });
      return c;
    }

    String output() {
      return out.toString();
    }

    int stop() throws InterruptedException {
      // SIGTERM, as Ctrl-C or `docker stop`. Through the handle: Process.destroy() would also close
      // our end of its stdout and lose what the shutdown hook prints.
      process.toHandle().destroy();
      assertTrue(
          process.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS),
          "collector stops after SIGTERM: " + out);
      reader.join(10_000); // drain the last lines
      return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }
}
