package dev.tripline.collector.protect;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.http.AnalystServer;
import dev.tripline.collector.kafka.PolicyTopics;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.judge.Normalizer;
import dev.tripline.model.protect.PolicyReader;
import dev.tripline.model.protect.ProtectionJudge;
import dev.tripline.model.protect.ProtectionJudges;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allow list on the real broker: a MONITORING service set to block gets its learned profile's
 * keys (enforced kinds only) in its policy record, which the agent's reader accepts and the shared
 * judge applies; when the profile grows (an analyst accepts a new behaviour) the collector
 * re-issues the policy with the grown list, unaudited, under a higher version.
 */
@ExtendWith(KafkaBroker.class)
class AllowListPublishTest {
  private static final String TOKEN = "s3cret-token-for-allow-lists";

  @Test
  void aMonitoringServiceInBlockGetsItsAllowListAndItFollowsTheProfile(
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
                policyPrefix,
                // growth, not the clock, must re-issue here
                "protection.refresh",
                "1h",
                "protection.max.age",
                "3h");
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start()) {
      AnalystBackend backend = p.backend();
      PipelineFixtures.learn(f, backend, "shop"); // db.internal:5432, app.conf, git status
      String topic = PolicyTopics.topicFor(policyPrefix, "shop");
      HttpResponse<String> put =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(server.baseUrl() + "/api/services/shop/protection"))
                      .header("Authorization", "Bearer " + TOKEN)
                      .PUT(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"mode\":\"block\",\"kinds\":[\"NET_CONNECT\",\"PROCESS_SPAWN\"]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, put.statusCode(), put.body());
      assertTrue(put.body().contains("\"profileState\":\"MONITORING\""), put.body());

      // The record carries the enforced kinds' keys, as the collector's Normalizer made them.
      List<byte[]> records =
          await()
              .atMost(Patience.WAIT)
              .until(() -> ProtectionApiTest.read(kafka, topic), r -> r.size() == 1);
      PolicyReader agent = new PolicyReader("shop");
      assertTrue(agent.offer(records.get(0)).applied());
      ProtectionPolicy v1 = agent.held().orElseThrow();
      assertEquals(ProfileState.MONITORING, v1.getProfileState());
      assertEquals(
          List.of(
              Normalizer.key(connect("db.internal", 5432)),
              Normalizer.key(PipelineFixtures.spawn("/usr/bin/git", "status"))),
          v1.getAllowedList().stream().sorted().toList());
      assertEquals(List.of(), v1.getTruncatedKindsList());
      assertEquals(3 * 3600_000L, v1.getMaxAgeMs());
      assertEquals(v1.getIssuedAtMs(), v1.getSetAtMs());
      // not FILE_READ: the operator did not choose it
      assertTrue(v1.getAllowedList().stream().noneMatch(k -> k.startsWith("FILE_READ|")));

      Event cache = connect("cache.internal", 6379);
      ProtectionJudge judge = ProtectionJudges.of(v1);
      assertNull(judge.judge(connect("db.internal", 5432)));
      ProtectionJudge.Refusal refused = judge.judge(cache);
      assertNotNull(refused);
      assertEquals("new-behaviour:NET_CONNECT", refused.rule);

      // The service really does it (the agent in dry-run would let it through): an alert, which
      // an analyst accepts into the profile. The policy follows, without anyone setting it again.
      f.send("shop", cache);
      Alert alert =
          await()
              .atMost(Patience.WAIT)
              .until(
                  () ->
                      backend.alerts(AnalystBackend.AlertQuery.all(100)).stream()
                          .filter(a -> a.getNormalizedTarget().equals("cache.internal:6379"))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      backend.submit(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.ACCEPT_INTO_PROFILE)
              .setService("shop")
              .setAlertId(alert.getId())
              .setActor("ana")
              .build());
      List<byte[]> two =
          await()
              .atMost(Patience.WAIT)
              .until(() -> ProtectionApiTest.read(kafka, topic), r -> r.size() == 2);
      assertTrue(agent.offer(two.get(1)).applied());
      ProtectionPolicy v2 = agent.held().orElseThrow();
      assertTrue(v2.getVersion() > v1.getVersion());
      assertTrue(
          v2.getAllowedList().contains(Normalizer.key(cache)), v2.getAllowedList().toString());
      assertEquals(ProtectionMode.BLOCK, v2.getMode());
      assertEquals(v1.getKindsList(), v2.getKindsList());
      assertEquals("admin", v2.getIssuedBy(), "re-issued as the analyst set it");
      assertEquals(v1.getSetAtMs(), v2.getSetAtMs());
      assertNull(ProtectionJudges.of(v2).judge(cache));
      assertEquals(
          1.0, registry.get("tripline.protection.reissued").tag("why", "grown").counter().count());
      // a re-issue is not an analyst's change: the audit trail still holds the one SET_PROTECTION
      assertEquals(
          1,
          backend.actions(100).stream()
              .filter(a -> a.getType() == AnalystAction.ActionType.SET_PROTECTION)
              .count());
      assertEquals(EventKind.NET_CONNECT, v2.getKinds(0));
    }
  }
}
