package dev.tripline.collector.protect;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.cli.ProtectCommand;
import dev.tripline.collector.http.AnalystServer;
import dev.tripline.collector.json.Json;
import dev.tripline.collector.kafka.PolicyTopics;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.protect.PolicyReader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Setting a service's protection end to end: real broker, real pipeline, real HTTP. A change is
 * audited and lands as the service's compacted policy record, which the agent's own reader accepts;
 * every bad request is refused with a JSON error, counted, and writes nothing.
 */
@ExtendWith(KafkaBroker.class)
class ProtectionApiTest {
  private static final String TOKEN = "s3cret-token-for-protection";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aModeChangeIsAuditedAndPublishedAndBadRequestsWriteNothing(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String policyPrefix = "p" + UUID.randomUUID().toString().substring(0, 8) + ".policy";
    try (PipelineFixtures f =
            new PipelineFixtures(
                kafka,
                dir,
                1,
                "http.port",
                "0",
                "http.token",
                TOKEN,
                "topic.policy",
                policyPrefix);
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start()) {
      String base = server.baseUrl() + "/api/services/";
      f.send("shop", connect("db.internal", 5432));
      await().atMost(Patience.WAIT).until(() -> p.backend().profile("shop").isPresent());
      String topic = PolicyTopics.topicFor(policyPrefix, "shop");

      // Never set: off, and nothing on Kafka yet.
      HttpResponse<String> initial = send("GET", base + "shop/protection", TOKEN, null);
      assertEquals(200, initial.statusCode(), initial.body());
      assertEquals("off", Json.object(initial.body()).get("mode"));
      assertEquals(false, Json.object(initial.body()).get("issued"));

      long before = System.nanoTime();
      HttpResponse<String> put =
          send(
              "PUT",
              base + "shop/protection",
              TOKEN,
              "{\"mode\":\"block\",\"kinds\":[\"PROCESS_SPAWN\",\"NET_CONNECT\"]}");
      assertEquals(200, put.statusCode(), put.body());
      // The compacted record is on the service's topic (the answer waits for the broker's ack),
      // and the agent's reader accepts it for this service.
      List<byte[]> records =
          await().atMost(Patience.WAIT).until(() -> read(kafka, topic), r -> r.size() == 1);
      long tookMs = (System.nanoTime() - before) / 1_000_000;
      System.out.println("PUT → policy record readable on " + topic + ": " + tookMs + " ms");
      PolicyReader agentSide = new PolicyReader("shop");
      assertTrue(agentSide.offer(records.get(0)).applied());
      ProtectionPolicy v1 = agentSide.held().orElseThrow();
      assertEquals(ProtectionMode.BLOCK, v1.getMode());
      assertEquals(List.of(EventKind.PROCESS_SPAWN, EventKind.NET_CONNECT), v1.getKindsList());
      assertEquals("admin", v1.getIssuedBy());
      assertTrue(v1.getVersion() >= 1);
      assertEquals(ProtectionMode.BLOCK, agentSide.effective(System.currentTimeMillis(), 0).mode());
      assertEquals(
          "compact", topicConfig(kafka, topic, "cleanup.policy"), "one record per service kept");
      // Another service's reader refuses it.
      assertEquals(
          PolicyReader.Refusal.WRONG_SERVICE,
          new PolicyReader("cart").offer(records.get(0)).refusal());

      // GET shows it; the audit trail says who changed what from what to what.
      Map<String, Object> shown =
          Json.object(send("GET", base + "shop/protection", TOKEN, null).body());
      assertEquals("block", shown.get("mode"));
      assertEquals(List.of("PROCESS_SPAWN", "NET_CONNECT"), shown.get("kinds"));
      Map<String, Object> audit = awaitAudit(server, 1).get(0);
      assertEquals("SET_PROTECTION", audit.get("type"));
      assertEquals("admin", audit.get("actor"));
      assertEquals("shop", audit.get("service"));
      assertEquals("off", ((Map<?, ?>) audit.get("protectionBefore")).get("mode"));
      assertEquals("block", ((Map<?, ?>) audit.get("protection")).get("mode"));

      // The CLI mirrors it: the next change is a higher version, its audit names the one before.
      Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
      String said =
          cli(
              new ProtectCommand(),
              "--url",
              server.baseUrl(),
              "--token-file",
              tokenFile.toString(),
              "shop",
              "--mode",
              "dry-run");
      assertTrue(said.contains("shop: dry-run (PROCESS_SPAWN, NET_CONNECT)"), said);
      List<byte[]> two =
          await().atMost(Patience.WAIT).until(() -> read(kafka, topic), r -> r.size() == 2);
      assertTrue(agentSide.offer(two.get(1)).applied());
      assertEquals(ProtectionMode.DRY_RUN, agentSide.held().orElseThrow().getMode());
      assertTrue(agentSide.held().orElseThrow().getVersion() > v1.getVersion());
      assertEquals(
          PolicyReader.Refusal.ROLLBACK, agentSide.offer(records.get(0)).refusal(), "a replay");
      Map<String, Object> second = awaitAudit(server, 2).get(0);
      assertEquals("block", ((Map<?, ?>) second.get("protectionBefore")).get("mode"));
      assertEquals("dry-run", ((Map<?, ?>) second.get("protection")).get("mode"));
      String shownByCli =
          cli(
              new ProtectCommand(),
              "--url",
              server.baseUrl(),
              "--token-file",
              tokenFile.toString(),
              "shop");
      assertTrue(shownByCli.startsWith("shop: dry-run"), shownByCli);

      // Bad requests: a clear JSON error, counted, nothing written (still two records, two audits).
      String big = "{\"mode\":\"block\",\"kinds\":[\"" + "X".repeat(2 * 1024 * 1024) + "\"]}";
      Object[][] bad = {
        {base + "shop/protection", "{\"mode\":\"lockdown\"}", 400, "lockdown"},
        {
          base + "shop/protection",
          "{\"mode\":\"block\",\"kinds\":[\"PROCESS_SPAWNS\"]}",
          400,
          "PROCESS_SPAWNS"
        },
        {
          base + "shop/protection",
          "{\"mode\":\"block\",\"kinds\":[\"NET_ACCEPT\"]}",
          400,
          "never refused"
        },
        {base + "shop/protection", "{\"mode\":\"block\",\"version\":1}", 400, "unknown field"},
        {base + "shop/protection", "{\"mode\":", 400, "malformed JSON"},
        {base + "shop/protection", "", 400, "mode"},
        {base + "shop/protection", big, 413, "larger than"},
        {base + "nosuch/protection", "{\"mode\":\"block\"}", 404, "nosuch"},
      };
      for (Object[] b : bad) {
        HttpResponse<String> r = send("PUT", (String) b[0], TOKEN, (String) b[1]);
        assertEquals(b[2], r.statusCode(), r.body());
        Map<String, Object> error = Json.object(r.body());
        assertTrue(String.valueOf(error.get("error")).contains((String) b[3]), r.body());
      }
      assertEquals(
          401, send("PUT", base + "shop/protection", null, "{\"mode\":\"off\"}").statusCode());
      assertEquals(404, send("GET", base + "nosuch/protection", TOKEN, null).statusCode());
      assertEquals(2, read(kafka, topic).size(), "no bad request reached the policy topic");
      assertTrue(read(kafka, PolicyTopics.topicFor(policyPrefix, "nosuch")).isEmpty());
      assertEquals(2, audits(server).size(), "no bad request reached the audit trail");
      assertEquals(1.0, refused(registry, "unknown_mode"));
      assertEquals(2.0, refused(registry, "unknown_kind"));
      assertEquals(3.0, refused(registry, "malformed"));
      assertEquals(2.0, refused(registry, "unknown_service"));
      assertEquals(
          "dry-run",
          Json.object(send("GET", base + "shop/protection", TOKEN, null).body()).get("mode"));
    }
  }

  private static double refused(PrometheusMeterRegistry registry, String reason) {
    return registry.get("tripline.protection.refused").tag("reason", reason).counter().count();
  }

  private List<Map<String, Object>> awaitAudit(AnalystServer server, int count) {
    return await().atMost(Patience.WAIT).until(() -> audits(server), a -> a.size() == count);
  }

  /** SET_PROTECTION entries of the audit trail, newest first. */
  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> audits(AnalystServer server) throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object a :
        Json.array(send("GET", server.baseUrl() + "/api/actions", TOKEN, null).body())) {
      Map<String, Object> m = (Map<String, Object>) a;
      if ("SET_PROTECTION".equals(m.get("type"))) out.add(m);
    }
    return out;
  }

  /** Every record value on the topic, read as an agent does: by assignment, no consumer group. */
  static List<byte[]> read(EmbeddedKafka kafka, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("allow.auto.create.topics", "false");
    List<byte[]> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      if (c.partitionsFor(topic, Duration.ofSeconds(10)).isEmpty()) return out;
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          assertEquals("shop", r.key());
          out.add(r.value());
        }
      }
    }
    return out;
  }

  static String topicConfig(EmbeddedKafka kafka, String topic, String key) throws Exception {
    try (Admin admin = kafka.admin()) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      ConfigEntry e = admin.describeConfigs(List.of(r)).all().get().get(r).get(key);
      return e.value();
    }
  }

  private HttpResponse<String> send(String method, String url, String token, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) b.header("Authorization", "Bearer " + token);
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cli(Object command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, new CommandLine(command).execute(args));
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
