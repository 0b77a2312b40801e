package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Topics;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.PolicyReader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protect mode in a real JVM with the real agent and a real broker: the service's policy record on
 * its compacted topic switches refusing on and off; a JNDI lookup's connect (known-bad: a connect
 * under a JNDI frame) is refused before it reaches the listener, with a ConnectException naming
 * Tripline and the rule, while the application's normal connects and reads go on; bad policy
 * records are refused and counted, never applied; dry-run refuses nothing and reports WOULD_BLOCK;
 * the emergency brake refuses nothing whatever the policy says.
 */
@ExtendWith(KafkaBroker.class)
class ProtectModeIT {
  private static final String POLICY_PREFIX = "it.policy";

  /** {@link dev.tripline.testapp.ProtectApp} with the agent. */
  static final class App extends ForkedApp {
    App(Path java, Path dir, List<String> props, int ldap, int normal, Path read)
        throws IOException {
      super(
          java,
          dir,
          props,
          Map.of(),
          "dev.tripline.testapp.ProtectApp",
          Integer.toString(ldap),
          Integer.toString(normal),
          read.toString(),
          dir.resolve("stop").toString());
    }
  }

  /** A listener that counts the connections it accepted (and closes them at once). */
  static final class Listener implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0);
    final AtomicInteger accepted = new AtomicInteger();

    Listener() throws IOException {
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                  } catch (IOException e) {
                    // closed
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static ProtectionPolicy.Builder policy(String service, ProtectionMode mode, long version) {
    return ProtectionPolicy.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setService(service)
        .setMode(mode)
        .addKinds(EventKind.PROCESS_SPAWN)
        .addKinds(EventKind.NET_CONNECT)
        .setVersion(version)
        .setIssuedAtMs(System.currentTimeMillis())
        .setIssuedBy("ProtectModeIT");
  }

  static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
  }

  static String policyTopic(String service) {
    return POLICY_PREFIX + "." + service;
  }

  /**
   * Service {@code service}'s events topic ({@code it.events.<service>}) and policy topic, with
   * {@code mode} in force on the latter; returns the agent's settings for it.
   */
  static List<String> underPolicy(EmbeddedKafka kafka, String service, ProtectionMode mode)
      throws Exception {
    String events = "it.events." + service;
    createTopics(kafka, events, policyTopic(service));
    try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
      send(producer, policyTopic(service), service, policy(service, mode, 1).build().toByteArray());
    }
    return KafkaPipelineIT.agentProps(
        kafka.bootstrapServers(),
        events,
        service,
        "-Dtripline.protect.policy.topic=" + POLICY_PREFIX);
  }

  private static void createTopics(EmbeddedKafka kafka, String events, String policy) {
    try (Admin admin = kafka.admin()) {
      Topics.ensure(admin, Map.of(events, 1), (short) 1, BatchConsumer.logAppendTime());
      Topics.ensure(admin, Map.of(policy, 1), (short) 1, Map.of("cleanup.policy", "compact"));
    }
  }

  private static AgentHealth lastHealth(BatchConsumer topic) throws Exception {
    List<EventBatch> beats = topic.heartbeats();
    return beats.isEmpty()
        ? AgentHealth.getDefaultInstance()
        : beats.get(beats.size() - 1).getHealth();
  }

  @OnEveryJdk
  void blockRefusesTheJndiConnectWithinSecondsDryRunOnlyMarksItAndBadRecordsChangeNothing(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String service = "protect-it-" + Math.abs(java.toString().hashCode());
    String events = "it.events." + service;
    String policies = policyTopic(service);
    createTopics(kafka, events, policies);
    Path read = Files.writeString(dir.resolve("settings.txt"), "normal work");
    List<String> props =
        KafkaPipelineIT.agentProps(
            kafka.bootstrapServers(),
            events,
            service,
            "-Dtripline.protect.policy.topic=" + POLICY_PREFIX);
    try (Listener ldap = new Listener();
        Listener normal = new Listener();
        KafkaProducer<String, byte[]> producer = producer(kafka);
        App app = new App(java, dir.resolve("app"), props, ldap.port(), normal.port(), read);
        BatchConsumer topic = new BatchConsumer(kafka.bootstrapServers(), events)) {
      // Off (no policy): the lookup reaches the listener.
      app.awaitUntil("the JNDI lookup reaching the listener", () -> ldap.accepted.get() > 0);
      app.awaitUntil(
          "a heartbeat saying protection is off, no policy",
          () -> {
            AgentHealth h = lastHealth(topic);
            return h.getProtectionReason().startsWith("no policy")
                && h.getProtectionMode() == ProtectionMode.PROTECTION_OFF
                && !h.getProtectionFailedOpen();
          });

      // Bad records: refused, counted, never applied; the application runs on.
      send(producer, policies, service, new byte[] {(byte) 0xff, 1, 2, 3});
      send(
          producer,
          policies,
          service,
          policy("another", ProtectionMode.BLOCK, 1).build().toByteArray());
      send(
          producer,
          policies,
          service,
          policy(service, ProtectionMode.BLOCK, 1).setModeValue(9).build().toByteArray());
      // Over the reader's cap (1 MB with the allow list): refused unparsed, whatever it holds.
      send(producer, policies, service, new byte[PolicyReader.MAX_RECORD_BYTES + 1]);
      app.awaitUntil(
          "four refused policy records in a heartbeat",
          () -> lastHealth(topic).getProtectionCountsOrDefault("policy_refused", 0) >= 4);
      AgentHealth afterBad = lastHealth(topic);
      assertEquals(ProtectionMode.PROTECTION_OFF, afterBad.getProtectionMode());
      assertEquals(0, afterBad.getProtectionPolicyVersion());
      assertEquals(
          1, afterBad.getProtectionCountsOrThrow("policy_refused.corrupt"), afterBad.toString());
      assertEquals(1, afterBad.getProtectionCountsOrThrow("policy_refused.wrong_service"));
      assertEquals(1, afterBad.getProtectionCountsOrThrow("policy_refused.unknown_mode"));
      assertEquals(1, afterBad.getProtectionCountsOrThrow("policy_refused.oversized"));
      int before = ldap.accepted.get();
      app.awaitUntil("the lookup still reaching the listener", () -> ldap.accepted.get() > before);

      // Block: the record written to the first refusal in the application, end to end.
      long t0 = System.nanoTime();
      send(
          producer,
          policies,
          service,
          policy(service, ProtectionMode.BLOCK, 2).build().toByteArray());
      app.awaitUntil("a refused JNDI lookup", () -> app.output().contains("JNDI refused"));
      long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      int atRefusal = ldap.accepted.get();
      System.out.println(
          "[ProtectModeIT] " + java + ": policy record -> first refusal " + latencyMs + " ms");
      assertTrue(latencyMs <= 5_000, "mode change took " + latencyMs + " ms");
      String out = app.output();
      assertTrue(
          out.contains("java.net.ConnectException: Tripline protect mode refused this call (rule "),
          out);
      app.awaitUntil(
          "the BLOCKED event on the events topic",
          () -> blocked(topic, Disposition.BLOCKED, ldap.port()) != null);
      Event blocked = blocked(topic, Disposition.BLOCKED, ldap.port());
      assertFalse(blocked.getProtectionRule().isEmpty());
      assertFalse(blocked.getSuccess());
      assertTrue(
          blocked.getContextsList().stream().anyMatch(c -> c.getCategory().startsWith("jndi")),
          blocked.toString());
      assertTrue(
          blocked.getCallSite().getClassName().startsWith("dev.tripline.testapp.ProtectApp")
              || !blocked.getCallSite().getClassName().isEmpty());
      app.awaitUntil(
          "a heartbeat in block with refusals counted",
          () -> {
            AgentHealth h = lastHealth(topic);
            return h.getProtectionMode() == ProtectionMode.BLOCK
                && h.getProtectionPolicyVersion() == 2
                && h.getProtectionCountsOrDefault("blocked", 0) >= 2;
          });
      assertEquals(atRefusal, ldap.accepted.get(), "nothing reached the listener once refused");

      // Dry-run: nothing refused, marked WOULD_BLOCK.
      send(
          producer,
          policies,
          service,
          policy(service, ProtectionMode.DRY_RUN, 3).build().toByteArray());
      app.awaitUntil(
          "the lookup reaching the listener again", () -> ldap.accepted.get() > atRefusal);
      app.awaitUntil(
          "the WOULD_BLOCK event",
          () -> blocked(topic, Disposition.WOULD_BLOCK, ldap.port()) != null);
      app.awaitUntil(
          "would-block counted",
          () -> lastHealth(topic).getProtectionCountsOrDefault("would_block", 0) > 0);

      String end = app.stop();
      assertFalse(end.contains("CONNECT failed"), "the normal connects never failed: " + end);
      assertFalse(end.contains("READ failed"), "the normal reads never failed: " + end);
      assertTrue(normal.accepted.get() > 0);
      assertTrue(Probe.mbean(end, "protection.blocked") >= 2, end);
      assertTrue(Probe.mbean(end, "protection.policy_refused") >= 4, end);
      assertEquals(1, Probe.mbean(end, "protection.mode"), "dry-run in force at the end: " + end);
    }
  }

  private static Event blocked(BatchConsumer topic, Disposition d, int port) throws Exception {
    return topic.events().stream()
        .filter(
            e ->
                e.getDisposition() == d
                    && e.getKind() == EventKind.NET_CONNECT
                    && e.getNetwork().getPort() == port)
        .findFirst()
        .orElse(null);
  }

  @Test
  void theBrakeRefusesNothingWhateverThePolicySays(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    Path java = Jdks.all().get(0);
    String service = "protect-brake";
    String events = "it.events." + service;
    String policies = policyTopic(service);
    createTopics(kafka, events, policies);
    Path read = Files.writeString(dir.resolve("settings.txt"), "normal work");
    try (Listener ldap = new Listener();
        Listener normal = new Listener();
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      send(
          producer,
          policies,
          service,
          policy(service, ProtectionMode.BLOCK, 1).build().toByteArray());
      List<String> props =
          KafkaPipelineIT.agentProps(
              kafka.bootstrapServers(),
              events,
              service,
              "-Dtripline.protect.policy.topic=" + POLICY_PREFIX,
              "-Dtripline.protect=off");
      try (App app = new App(java, dir.resolve("app"), props, ldap.port(), normal.port(), read);
          BatchConsumer topic = new BatchConsumer(kafka.bootstrapServers(), events)) {
        app.awaitUntil(
            "a heartbeat saying the brake is on",
            () -> lastHealth(topic).getProtectionReason().contains("tripline.protect=off"));
        int seen = ldap.accepted.get();
        app.awaitUntil("the lookup reaching the listener", () -> ldap.accepted.get() > seen + 2);
        String out = app.stop();
        assertFalse(out.contains("JNDI refused"), out);
        assertTrue(out.contains("[tripline] protect: braked locally"), out);
        assertEquals(ProtectionMode.PROTECTION_OFF, lastHealth(topic).getProtectionMode());
        assertTrue(
            topic.events().stream()
                .noneMatch(e -> e.getDisposition() != Disposition.DISPOSITION_NONE),
            "nothing marked");
      }
    }
  }
}
