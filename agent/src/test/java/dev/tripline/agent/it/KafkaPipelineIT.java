package dev.tripline.agent.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.kafka.Topics;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's Kafka pipeline against a real broker: delivery, identity, heartbeats, outage and
 * return, TLS.
 */
@ExtendWith(KafkaBroker.class)
class KafkaPipelineIT {
  private static final Pattern SLOWEST = Pattern.compile("slowestMs=(\\d+)");

  static List<String> agentProps(String bootstrap, String topic, String service, String... extra) {
    List<String> p =
        new ArrayList<>(
            List.of(
                "-Dtripline.kafka.bootstrap.servers=" + bootstrap,
                "-Dtripline.kafka.topic=" + topic,
                "-Dtripline.service.name=" + service,
                "-Dtripline.flush.interval=500ms",
                "-Dtripline.heartbeat.interval=1s"));
    p.addAll(List.of(extra));
    return p;
  }

  static void createTopic(EmbeddedKafka kafka, String topic) {
    try (Admin admin = kafka.admin()) {
      Topics.ensure(admin, Map.of(topic, 1), (short) 1, BatchConsumer.logAppendTime());
    }
  }

  @OnEveryJdk
  void eventsReachKafkaKeyedByServiceWithIdentityAndHealth(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String topic = "it.events." + Math.abs(java.toString().hashCode());
    createTopic(kafka, topic);
    // As in a pod: the API server's address, and the downward-API variables of
    // deploy/kubernetes/agent-injection.
    Map<String, String> k8s =
        Map.of(
            "KUBERNETES_SERVICE_HOST",
            "10.96.0.1",
            "POD_NAME",
            "loop-7f9c-abcde",
            "POD_NAMESPACE",
            "shop",
            "NODE_NAME",
            "node-a");
    try (RunningApp app =
            RunningApp.start(
                java, dir, agentProps(kafka.bootstrapServers(), topic, "loop-svc"), k8s);
        BatchConsumer topicReader = new BatchConsumer(kafka.bootstrapServers(), topic)) {
      String first = app.dataFile(0).toString();
      await().atMost(Patience.WAIT).until(() -> topicReader.sawFile(first));
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  topicReader.heartbeats().stream()
                      .anyMatch(h -> h.getHealth().getEventsSent() > 0));
      String out = app.stop();

      List<BatchConsumer.Received> records = topicReader.poll();
      assertTrue(
          records.stream().allMatch(r -> "loop-svc".equals(r.key)),
          "every record is keyed by service");
      AgentIdentity id = records.get(0).batch.getAgent();
      assertEquals("loop-svc", id.getService());
      assertEquals("loop-7f9c-abcde", id.getK8SPod());
      assertEquals("shop", id.getK8SNamespace());
      assertEquals("node-a", id.getK8SNode());
      assertFalse(id.getInstanceId().isEmpty());
      assertFalse(id.getHost().isEmpty());
      assertTrue(id.getPid() > 0);
      assertTrue(records.stream().allMatch(r -> r.batch.getSchemaVersion() == 1));

      Event write =
          topicReader.events().stream()
              .filter(
                  e -> e.getKind() == EventKind.FILE_WRITE && e.getFile().getPath().equals(first))
              .findFirst()
              .orElseThrow();
      assertTrue(write.getFirstOccurrence());
      assertEquals("dev.tripline.testapp.LoopApp", write.getCallSite().getClassName());
      assertEquals("work", write.getCallSite().getMethodName());
      assertEquals("testapp.jar", write.getCallSite().getJarName());

      // The progress file is rewritten every ten iterations: one behaviour, its repeats folded into
      // counts.
      String progress = dir.resolve("progress").toString();
      long progressWrites =
          topicReader.events().stream()
              .filter(
                  e ->
                      e.getKind() == EventKind.FILE_WRITE && e.getFile().getPath().equals(progress))
              .mapToLong(Event::getCount)
              .sum();
      long progressRecords =
          topicReader.events().stream()
              .filter(
                  e ->
                      e.getKind() == EventKind.FILE_WRITE && e.getFile().getPath().equals(progress))
              .count();
      assertTrue(
          progressWrites > progressRecords,
          progressWrites + " writes in " + progressRecords + " records");

      // Sent batches are acknowledged: heartbeats count them, and the agent's MBean shows the same
      // meters.
      List<EventBatch> heartbeats = topicReader.heartbeats();
      EventBatch lastHeartbeat = heartbeats.get(heartbeats.size() - 1);
      assertTrue(
          lastHeartbeat.getHealth().getEventsSeen() >= lastHeartbeat.getHealth().getEventsSent(),
          lastHeartbeat.toString());
      assertEquals(0, lastHeartbeat.getHealth().getErrors(), lastHeartbeat.toString());
      // The agent's own Kafka traffic stays its own (its sender thread is recognised by its stack,
      // not by its name alone), nothing was refused, and every canary arrived.
      assertTrue(
          topicReader.events().stream()
              .noneMatch(e -> e.getThreadName().startsWith("kafka-producer-network-thread")),
          "no event of the agent's own Kafka client");
      assertEquals(0, lastHeartbeat.getHealth().getTamperCount(), lastHeartbeat.toString());
      assertEquals(0, lastHeartbeat.getHealth().getCanaryFailed(), lastHeartbeat.toString());
      assertTrue(lastHeartbeat.getHealth().getCanaryOk() > 0, lastHeartbeat.toString());
      assertTrue(mbean(out, "events.seen") > 0 && mbean(out, "events.sent") > 0, out);
      assertEquals(0, mbean(out, "errors"), out);
    }
  }

  @Test
  void applicationRunsOnWhileKafkaIsDownAndDeliveryResumesWithTheLossReported(@TempDir Path dir)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String topic = "it.events.outage";
    try (EmbeddedKafka broker =
        EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).port(port).build().start()) {
      createTopic(broker, topic);
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      // Delivery gives up after 4 s here (30 s by default) so that a short outage loses batches.
      List<String> props =
          agentProps(
              broker.bootstrapServers(),
              topic,
              "outage-svc",
              "-Dtripline.kafka.delivery.timeout.ms=4000",
              "-Dtripline.kafka.request.timeout.ms=2000");
      try (RunningApp app = RunningApp.start(java, dir.resolve("app"), props, Map.of())) {
        try (BatchConsumer before = new BatchConsumer(broker.bootstrapServers(), topic)) {
          await().atMost(Patience.WAIT).until(() -> before.sawFile(app.dataFile(0).toString()));
        }

        broker.stop();
        long atStop = app.progress();
        // The application goes on at its own pace, creating new behaviours the agent cannot send.
        await().atMost(Patience.WAIT).until(() -> app.progress() >= atStop + 400);
        long duringOutage = app.progress() - 100;

        broker.start();
        assertEquals(port, Integer.parseInt(broker.bootstrapServers().replaceAll(".*:", "")));
        try (BatchConsumer after = new BatchConsumer(broker.bootstrapServers(), topic)) {
          // What happened while Kafka was down is delivered once it is back (held in the agent's
          // bounded cache) …
          await()
              .atMost(Patience.WAIT)
              .until(() -> after.sawFile(app.dataFile(duringOutage).toString()));
          // … and a heartbeat reports the batches that failed in between.
          await()
              .atMost(Patience.WAIT)
              .until(
                  () ->
                      after.heartbeats().stream()
                          .anyMatch(h -> h.getHealth().getBatchesFailed() > 0));
          long resumed = app.progress() + 20;
          await()
              .atMost(Patience.WAIT)
              .until(() -> after.sawFile(app.dataFile(resumed).toString()));
        }
        String out = app.stop();
        Matcher slowest = SLOWEST.matcher(out);
        assertTrue(slowest.find(), out);
        // Never waiting on Kafka: no iteration of the application's loop took a Kafka timeout (a
        // request times out after 2 s here). Not less: a loaded machine stalls a thread for a
        // second.
        assertTrue(Long.parseLong(slowest.group(1)) < 2_000, out);
      }
    }
  }

  @Test
  void mutualTlsByConfigurationAloneWithSecretsFromFiles(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir.resolve("tls"));
    String pw = certs.password;
    // The broker answers TLS clients on its SSL listener only with a certificate signed by the test
    // CA.
    try (EmbeddedKafka broker =
        EmbeddedKafka.builder()
            .listener("SSL", "SSL")
            .property("listener.name.ssl.ssl.keystore.location", certs.brokerKeystore.toString())
            .property("listener.name.ssl.ssl.keystore.password", pw)
            .property("listener.name.ssl.ssl.key.password", pw)
            .property("listener.name.ssl.ssl.keystore.type", "PKCS12")
            .property("listener.name.ssl.ssl.truststore.location", certs.truststore.toString())
            .property("listener.name.ssl.ssl.truststore.password", pw)
            .property("listener.name.ssl.ssl.truststore.type", "PKCS12")
            .property("listener.name.ssl.ssl.client.auth", "required")
            .build()
            .start()) {
      String topic = "it.events.tls";
      createTopic(broker, topic);
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      String secret = "@file:" + certs.passwordFile;
      List<String> props =
          agentProps(
              broker.bootstrapServers("SSL"),
              topic,
              "tls-svc",
              "-Dtripline.kafka.security.protocol=SSL",
              "-Dtripline.kafka.ssl.truststore.location=" + certs.truststore,
              "-Dtripline.kafka.ssl.truststore.type=PKCS12",
              "-Dtripline.kafka.ssl.truststore.password=" + secret,
              "-Dtripline.kafka.ssl.keystore.location=" + certs.clientKeystore,
              "-Dtripline.kafka.ssl.keystore.type=PKCS12",
              "-Dtripline.kafka.ssl.keystore.password=" + secret,
              "-Dtripline.kafka.ssl.key.password=" + secret,
              "-Dtripline.debug=true");
      try (RunningApp app = RunningApp.start(java, dir.resolve("app"), props, Map.of());
          BatchConsumer reader = new BatchConsumer(broker.bootstrapServers(), topic)) {
        await().atMost(Patience.WAIT).until(() -> reader.sawFile(app.dataFile(0).toString()));
        String out = app.stop();
        assertFalse(out.contains(pw), "the password never reaches the log:\n" + out);
      }

      // Without a client certificate the broker refuses the agent; the application runs on
      // regardless.
      List<String> noClientCert =
          agentProps(
              broker.bootstrapServers("SSL"),
              topic,
              "no-cert-svc",
              "-Dtripline.kafka.security.protocol=SSL",
              "-Dtripline.kafka.ssl.truststore.location=" + certs.truststore,
              "-Dtripline.kafka.ssl.truststore.type=PKCS12",
              "-Dtripline.kafka.ssl.truststore.password=" + secret);
      try (RunningApp app = RunningApp.start(java, dir.resolve("app2"), noClientCert, Map.of());
          BatchConsumer reader = new BatchConsumer(broker.bootstrapServers(), topic)) {
        // The refusal is said once the handshake fails, which on a loaded machine can take longer
        // than 200 iterations.
        await()
            .atMost(Patience.WAIT)
            .until(
                () ->
                    app.progress() >= 200
                        && app.output().contains("[tripline] cannot deliver events to Kafka at "));
        String out = app.stop();
        assertTrue(
            reader.poll().stream().noneMatch(r -> "no-cert-svc".equals(r.key)),
            "nothing got through without mTLS");
        assertTrue(out.contains("LOOPAPP iterations="), out);
        assertTrue(
            out.contains(
                "[tripline] cannot deliver events to Kafka at " + broker.bootstrapServers("SSL")),
            out);
      }
    }
  }

  private static long mbean(String out, String attribute) {
    Matcher m = Pattern.compile("MBEAN " + Pattern.quote(attribute) + "=(\\d+)").matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static Optional<Event> firstFileEvent(BatchConsumer c, String path) throws Exception {
    return c.events().stream()
        .filter(e -> e.hasFile() && e.getFile().getPath().equals(path))
        .findFirst();
  }
}
