package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ServiceProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBroker.class)
class DetectionPipelineTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static void learn(PipelineFixtures f, AnalystBackend backend, String service) {
    PipelineFixtures.learn(f, backend, service);
  }

  static List<AlertReason> reasons(List<Alert> alerts) {
    return alerts.stream().map(Alert::getReason).collect(Collectors.toList());
  }

  @Test
  void learnsThenRaisesExactlyOneAlertPerNewBehaviour(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1); DetectionPipeline p = f.pipeline(dir.resolve("a").toString())) {
      learn(f, p.backend(), "shop");
      ServiceProfile profile = p.backend().profile("shop").orElseThrow();
      assertEquals(3, profile.getEntriesCount(), profile.toString());

      f.send("shop", connect("db.internal", 5432), read("/etc/shop/app.conf"));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> f.alerts().isEmpty());

      f.send("shop", connect("203.0.113.9", 4444), read("/srv/shop/customers.csv"), spawn("/usr/bin/python3", "x.py"));
      await().atMost(WAIT).until(() -> f.alerts().size() == 3);
      assertEquals(List.of(AlertReason.NEW_CONNECTION, AlertReason.NEW_FILE_ACCESS, AlertReason.NEW_PROCESS),
          reasons(f.alerts()));
      Alert conn = f.alerts().get(0);
      assertEquals("203.0.113.9:4444", conn.getNormalizedTarget());
      assertEquals("com.acme.Shop", conn.getEvent().getCallSite().getClassName());
      assertTrue(conn.getContext().getSummary().startsWith("normally connects to: db.internal:5432"), conn.getContext().getSummary());
      assertEquals("T1071", conn.getMitre().getId());

      // The same behaviour again: folded into the alert's count, not published again.
      f.send("shop", connect("203.0.113.9", 4444));
      await().atMost(WAIT).until(() -> p.backend().alert(conn.getId()).map(Alert::getCount).orElse(0L) == 2);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> f.alerts().size() == 3);

      // SIEM topic: one OCSF Detection Finding per alert.
      List<String> json = new ArrayList<>();
      try (var c = PipelineFixtures.consumer(kafka, f.config.get("topic.alerts.json"))) {
        await().atMost(WAIT).until(() -> {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) json.add(new String(r.value(), StandardCharsets.UTF_8));
          return json.size() == 3;
        });
      }
      assertTrue(json.get(0).contains("\"class_uid\":2004") && json.get(0).contains("\"uid\":\"T1071\""), json.get(0));
    }
  }

  @Test
  void knownBadAlertsWhileLearningAndIsNeverLearned(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h");
         DetectionPipeline p = f.pipeline(dir.resolve("a").toString())) {
      f.send("shop", connect("db.internal", 5432), spawn("/bin/sh", "-c", "id"), read("/home/app/.aws/credentials"));
      await().atMost(WAIT).until(() -> f.alerts().size() == 2);
      Alert shell = f.alerts().get(0);
      assertEquals(AlertReason.KNOWN_BAD, shell.getReason());
      assertEquals("shell-spawn", shell.getRule());
      assertEquals("T1059.004", shell.getMitre().getId());
      assertEquals(ProfileState.LEARNING, shell.getContext().getState());
      assertEquals("credential-file", f.alerts().get(1).getRule());
      await().atMost(WAIT).until(() -> p.backend().profile("shop").isPresent());
      ServiceProfile profile = p.backend().profile("shop").orElseThrow();
      assertEquals(List.of("db.internal:5432"), profile.getEntriesList().stream().map(e -> e.getTarget()).collect(Collectors.toList()),
          "known-bad behaviour is not learned as normal");
    }
  }

  @Test
  void aMalformedRecordGoesToTheDeadLetterTopicAndProcessingGoesOn(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1); DetectionPipeline p = f.pipeline(dir.resolve("a").toString());
         var dead = PipelineFixtures.consumer(kafka, f.config.get("topic.deadletter"))) {
      byte[] garbage = {(byte) 0xff, 0x01, 0x02};
      f.producer.send(new ProducerRecord<>(f.config.get("topic.events"), "x", garbage)).get();
      f.send("after-garbage", connect("db.internal", 5432));
      List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
      await().atMost(WAIT).until(() -> {
        dead.poll(Duration.ofMillis(200)).forEach(letters::add);
        return !letters.isEmpty();
      });
      assertEquals(List.of((byte) 0xff, (byte) 0x01, (byte) 0x02), List.of(letters.get(0).value()[0], letters.get(0).value()[1], letters.get(0).value()[2]));
      assertTrue(letters.get(0).headers().lastHeader("tripline.error") != null);
      await().atMost(WAIT).until(() -> p.backend().profile("after-garbage").isPresent());
    }
  }

  @Test
  void acceptingAnAlertMakesTheBehaviourNormalAndIsRecorded(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1); DetectionPipeline p = f.pipeline(dir.resolve("a").toString())) {
      AnalystBackend backend = p.backend();
      learn(f, backend, "shop");
      f.send("shop", connect("payments.partner.example", 443));
      await().atMost(WAIT).until(() -> f.alerts().size() == 1);
      Alert alert = f.alerts().get(0);
      backend.submit(AnalystAction.newBuilder().setType(AnalystAction.ActionType.ACCEPT_INTO_PROFILE)
          .setAlertId(alert.getId()).setActor("ana").setComment("new payment provider").build());
      await().atMost(WAIT).until(() -> backend.alert(alert.getId()).map(a -> a.getState() == AlertState.ACCEPTED).orElse(false));
      assertEquals("ana", backend.alert(alert.getId()).orElseThrow().getHistory(0).getActor());
      await().atMost(WAIT).until(() -> backend.profile("shop").orElseThrow().getEntriesList().stream()
          .anyMatch(e -> e.getTarget().equals("payments.partner.example:443") && e.getOrigin().equals("accepted by ana")));
      await().atMost(WAIT).until(() -> backend.actions(10).size() == 1);

      f.send("shop", connect("payments.partner.example", 443));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
          .until(() -> f.alerts().size() == 1 && backend.alert(alert.getId()).orElseThrow().getCount() == 1);

      backend.submit(AnalystAction.newBuilder().setType(AnalystAction.ActionType.SET_LEARNING).setService("shop").setActor("ana").build());
      await().atMost(WAIT).until(() -> backend.profile("shop").orElseThrow().getState() == ProfileState.LEARNING);
    }
  }

  @Test
  void aRestartedOrSecondInstanceResumesWithoutRelearningOrDuplicates(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 2)) {
      List<String> services = List.of("alpha", "beta", "gamma", "delta");
      Alert first;
      try (DetectionPipeline a = f.pipeline(dir.resolve("a").toString());
           DetectionPipeline b = f.pipeline(dir.resolve("b").toString())) {
        for (String s : services) {
          learn(f, a.backend(), s);
        }
        f.send("alpha", spawn("/usr/bin/nmap", "-sS"));
        await().atMost(WAIT).until(() -> f.alerts().size() == 1);
        first = f.alerts().get(0);
        // Both instances answer queries about every service.
        for (String s : services) {
          assertTrue(b.backend().profile(s).isPresent(), s);
        }
        a.close(); // the first instance dies; the second takes over its partitions
        for (String s : services) {
          f.send(s, connect("exfil-" + s + ".example", 8443));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> f.alerts().size() == 1 + services.size());
      }
      // Both gone; a fresh instance restores from the changelog.
      try (DetectionPipeline c = f.pipeline(dir.resolve("c").toString())) {
        f.send("alpha", spawn("/usr/bin/nmap", "-sS"), connect("db.internal", 5432));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.backend().alert(first.getId()).map(Alert::getCount).orElse(0L) == 2);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> f.alerts().size() == 1 + services.size());
        assertEquals(ProfileState.MONITORING, c.backend().profile("alpha").orElseThrow().getState(), "no relearning");
        assertFalse(f.alerts().stream().map(Alert::getId).distinct().count() < f.alerts().size(), "no duplicate alerts");
      }
    }
  }

  @Test
  void aBurstOfNewPeersIsARateAnomaly(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "rate.window", "1s", "learning.period", "10s");
         DetectionPipeline p = f.pipeline(dir.resolve("a").toString())) {
      learn(f, p.backend(), "shop");
      List<dev.tripline.model.Event> scan = new ArrayList<>();
      for (int i = 1; i <= 200; i++) {
        scan.add(dev.tripline.model.Event.newBuilder(connect("10.1.0." + i, 22)).setNetwork(
            dev.tripline.model.NetworkTarget.newBuilder().setIp("10.1." + (i / 250) + "." + (i % 250)).setPort(22).setProtocol("tcp")).build());
      }
      f.send("shop", scan.toArray(new dev.tripline.model.Event[0]));
      await().atMost(WAIT).until(() -> f.alerts().stream().anyMatch(a -> a.getReason() == AlertReason.RATE_ANOMALY));
      Alert rate = f.alerts().stream().filter(a -> a.getReason() == AlertReason.RATE_ANOMALY).findFirst().orElseThrow();
      assertTrue(rate.getScore() > 0 && rate.getTitle().contains("learned at most"), rate.toString());
      assertTrue(rate.getMitre().getId().equals("T1046") || rate.getMitre().getId().equals("T1041"), rate.getMitre().toString());
    }
  }
}
