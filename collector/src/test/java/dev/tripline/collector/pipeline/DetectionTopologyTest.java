package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ServiceProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detection topology without a broker: learning then monitoring, new behaviour, known-bad,
 * folding, analyst actions, dead letters and rate anomalies, with the wall clock advanced by the
 * test. (Exactly-once, restart and failover stay in {@link DetectionPipelineTest} on a real
 * broker.)
 */
class DetectionTopologyTest {
  private static final Duration TICK = Duration.ofMillis(500);

  /**
   * Normal traffic, then the clock past the learning period and the quiet time: the profile is
   * MONITORING.
   */
  static void learn(TopologyFixture f, String service) {
    f.send(
        service,
        connect("db.internal", 5432),
        read("/etc/shop/app.conf"),
        spawn("/usr/bin/git", "status"));
    assertEquals(ProfileState.LEARNING, f.profile(service).orElseThrow().getState());
    for (int i = 0; i < 6; i++) {
      f.advance(TICK);
    }
    assertEquals(
        ProfileState.MONITORING,
        f.profile(service).orElseThrow().getState(),
        "learned after 2 s + 1 s quiet");
  }

  static List<AlertReason> reasons(List<Alert> alerts) {
    return alerts.stream().map(Alert::getReason).collect(Collectors.toList());
  }

  @Test
  void learnsThenRaisesExactlyOneAlertPerNewBehaviourAndFoldsRepeats(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      learn(f, "shop");
      assertEquals(3, f.profile("shop").orElseThrow().getEntriesCount());

      f.send("shop", connect("db.internal", 5432), read("/etc/shop/app.conf"));
      assertTrue(f.alerts().isEmpty(), "known behaviour raises nothing: " + f.alerts());

      f.send(
          "shop",
          connect("203.0.113.9", 4444),
          read("/srv/shop/customers.csv"),
          spawn("/usr/bin/python3", "x.py"));
      assertEquals(
          List.of(AlertReason.NEW_CONNECTION, AlertReason.NEW_FILE_ACCESS, AlertReason.NEW_PROCESS),
          reasons(f.alerts()));
      Alert conn = f.alerts().get(0);
      assertEquals("203.0.113.9:4444", conn.getNormalizedTarget());
      assertEquals("com.acme.Shop", conn.getEvent().getCallSite().getClassName());
      assertTrue(
          conn.getContext().getSummary().startsWith("normally connects to: db.internal:5432"),
          conn.getContext().getSummary());
      assertEquals("T1071", conn.getMitre().getId());
      assertEquals(
          f.now().toEpochMilli(), conn.getTimeMs(), "alert time is the stream's wall clock");

      // The same behaviour again: folded into the alert's count, not published again.
      f.send("shop", connect("203.0.113.9", 4444));
      assertEquals(2, f.alert(conn.getId()).orElseThrow().getCount());
      assertEquals(3, f.alerts().size());
      // ... until the count crosses 10.
      for (int i = 0; i < 8; i++) {
        f.send("shop", connect("203.0.113.9", 4444));
      }
      assertEquals(4, f.alerts().size());
      assertEquals(10, f.alerts().get(3).getCount());

      assertEquals(4, f.json().size(), "one OCSF finding per published alert");
      assertTrue(
          f.json().get(0).contains("\"class_uid\":2004")
              && f.json().get(0).contains("\"uid\":\"T1071\""),
          f.json().get(0));
    }
  }

  @Test
  void knownBadAlertsWhileLearningAndIsNeverLearned(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir, "learning.period", "1h")) {
      f.send(
          "shop",
          connect("db.internal", 5432),
          spawn("/bin/sh", "-c", "id"),
          read("/home/app/.aws/credentials"));
      assertEquals(2, f.alerts().size());
      Alert shell = f.alerts().get(0);
      assertEquals(AlertReason.KNOWN_BAD, shell.getReason());
      assertEquals("shell-spawn", shell.getRule());
      assertEquals("T1059.004", shell.getMitre().getId());
      assertEquals(ProfileState.LEARNING, shell.getContext().getState());
      assertEquals("credential-file", f.alerts().get(1).getRule());
      ServiceProfile profile = f.profile("shop").orElseThrow();
      assertEquals(
          List.of("db.internal:5432"),
          profile.getEntriesList().stream().map(e -> e.getTarget()).collect(Collectors.toList()),
          "known-bad behaviour is not learned as normal");
    }
  }

  @Test
  void aMalformedRecordGoesToTheDeadLetterTopicAndProcessingGoesOn(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.sendRaw("x", new byte[] {(byte) 0xff, 0x01, 0x02});
      f.send("after-garbage", connect("db.internal", 5432));
      var letter = f.deadLetters.readRecord();
      assertEquals(
          List.of((byte) 0xff, (byte) 0x01, (byte) 0x02),
          List.of(letter.value()[0], letter.value()[1], letter.value()[2]));
      assertTrue(letter.headers().lastHeader("tripline.error") != null);
      assertTrue(f.profile("after-garbage").isPresent());
    }
  }

  @Test
  void acceptingAnAlertMakesTheBehaviourNormalAndIsRecorded(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      learn(f, "shop");
      f.send("shop", connect("payments.partner.example", 443));
      assertEquals(1, f.alerts().size());
      Alert alert = f.alerts().get(0);
      f.act(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.ACCEPT_INTO_PROFILE)
              .setService("shop")
              .setAlertId(alert.getId())
              .setActor("ana")
              .setComment("new payment provider")
              .build());
      Alert accepted = f.alert(alert.getId()).orElseThrow();
      assertEquals(AlertState.ACCEPTED, accepted.getState());
      assertEquals("ana", accepted.getHistory(0).getActor());
      assertTrue(
          f.profile("shop").orElseThrow().getEntriesList().stream()
              .anyMatch(
                  e ->
                      e.getTarget().equals("payments.partner.example:443")
                          && e.getOrigin().equals("accepted by ana")));
      assertEquals(1, f.audit().size());
      assertFalse(f.audit().get(0).getId().isEmpty(), "the audit record gets an id");

      f.send("shop", connect("payments.partner.example", 443));
      assertEquals(1, f.alerts().size(), "accepted behaviour is normal");
      assertEquals(1, f.alert(alert.getId()).orElseThrow().getCount());

      f.act(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.ACKNOWLEDGE)
              .setService("other")
              .setAlertId(alert.getId())
              .setActor("eve")
              .build());
      assertTrue(
          f.audit().get(1).getComment().endsWith("[no such alert for this service]"),
          f.audit().get(1).getComment());

      f.act(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.SET_LEARNING)
              .setService("shop")
              .setActor("ana")
              .build());
      assertEquals(ProfileState.LEARNING, f.profile("shop").orElseThrow().getState());
    }
  }

  @Test
  void aBurstOfNewPeersIsARateAnomaly(@TempDir Path dir) {
    try (TopologyFixture f =
        new TopologyFixture(dir, "rate.window", "1s", "learning.period", "10s")) {
      // Ten learning windows of normal traffic (the model needs at least eight), then monitoring.
      for (int second = 0; second < 12; second++) {
        f.send("shop", connect("db.internal", 5432), read("/etc/shop/app.conf"));
        f.advance(TICK);
        f.advance(TICK);
      }
      assertEquals(ProfileState.MONITORING, f.profile("shop").orElseThrow().getState());
      assertTrue(f.alerts().isEmpty(), f.alerts().toString());

      List<Event> scan = new ArrayList<>();
      for (int i = 1; i <= 200; i++) {
        scan.add(
            Event.newBuilder(connect("10.1.0." + i, 22))
                .setNetwork(
                    NetworkTarget.newBuilder()
                        .setIp("10.1." + (i / 250) + "." + (i % 250))
                        .setPort(22)
                        .setProtocol("tcp"))
                .build());
      }
      f.send("shop", scan.toArray(new Event[0]));
      f.advance(TICK);
      f.advance(TICK);
      Alert rate =
          f.alerts().stream()
              .filter(a -> a.getReason() == AlertReason.RATE_ANOMALY)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no rate anomaly in " + reasons(f.alerts())));
      assertTrue(
          rate.getScore() > 0 && rate.getTitle().contains("learned at most"), rate.toString());
      assertTrue(
          rate.getTitle().contains("distinct peers") || rate.getTitle().contains("connects"),
          rate.getTitle());
      assertTrue(
          rate.getMitre().getId().equals("T1046") || rate.getMitre().getId().equals("T1041"),
          rate.getMitre().toString());
    }
  }
}
