package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KnownBadRules;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tamper and silence rules, driven through {@link Detection} with the clock in the test's hand
 * (no broker, no waiting): what a heartbeat reports, what a missing heartbeat means.
 */
class LivenessTest {
  private static final long T0 = 1_000_000;
  private static final long SILENT_MS = 60_000;
  private static final Detection.Settings SETTINGS =
      new Detection.Settings(
          Duration.ofHours(1),
          Duration.ofHours(1),
          Duration.ofHours(1),
          new Classifier(KnownBadRules.load(""), 1_000),
          new RateModel(0.6),
          true,
          Detection.maxLearning(Duration.ofHours(1), Duration.ZERO),
          Duration.ZERO,
          Duration.ofMillis(SILENT_MS));

  private final DetectionTest.MapState state = new DetectionTest.MapState();
  private final Detection detection = new Detection(SETTINGS, 100, DetectionTest.NO_METER, T0);

  private static AgentHealth.Builder health(long seen, long canaryOk) {
    return AgentHealth.newBuilder().setEventsSeen(seen).setCanaryOk(canaryOk);
  }

  private void send(String instance, long now, AgentHealth.Builder health, Event... events) {
    EventBatch.Builder b =
        EventBatch.newBuilder()
            .setAgent(
                AgentIdentity.newBuilder()
                    .setService("shop")
                    .setInstanceId(instance)
                    .setHost("host-" + instance))
            .addAllEvents(List.of(events));
    if (health != null) {
      b.setHealth(health);
    }
    Profiles p = state.profile("shop", now);
    detection.batch(p, b.build(), now, state);
    state.save(p, now);
  }

  private static Event read(String path) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setCount(1)
        .setFile(FileTarget.newBuilder().setPath(path))
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Shop").setMethodName("m"))
        .build();
  }

  private List<Alert> published(AlertReason reason) {
    return state.published.stream().filter(a -> a.getReason() == reason).toList();
  }

  @Test
  void aTamperFindingInAHeartbeatIsAnAlertOnce() {
    send("i-1", T0, health(10, 1));
    assertEquals(List.of(), published(AlertReason.AGENT_TAMPERED));
    send(
        "i-1",
        T0 + 1_000,
        health(12, 2)
            .setTamperCount(1)
            .addTamperFindings("refused markAgentThread from com.evil.Payload on thread main"));
    List<Alert> alerts = published(AlertReason.AGENT_TAMPERED);
    assertEquals(1, alerts.size(), state.published::toString);
    Alert a = alerts.get(0);
    assertEquals(Severity.HIGH, a.getSeverity());
    assertEquals("T1562.001", a.getMitre().getId());
    assertEquals(List.of("i-1"), a.getInstancesList());
    assertTrue(a.getDescription().contains("com.evil.Payload"), a::getDescription);
    // The next heartbeats report the same count: nothing new, no alert.
    send("i-1", T0 + 2_000, health(13, 3).setTamperCount(1));
    send("i-1", T0 + 3_000, health(14, 4).setTamperCount(1));
    assertEquals(1, published(AlertReason.AGENT_TAMPERED).size());
    assertEquals(1, state.alerts.get(a.getId()).getCount());
  }

  @Test
  void aFailedCanaryIsCritical() {
    send("i-1", T0, health(10, 1));
    send("i-1", T0 + 1_000, health(10, 1).setCanaryFailed(1).setTamperCount(1));
    List<Alert> alerts = published(AlertReason.AGENT_TAMPERED);
    assertEquals(1, alerts.size());
    assertEquals(Severity.CRITICAL, alerts.get(0).getSeverity());
  }

  @Test
  void anInstanceThatStopsWhileItsServiceLivesIsSilent() {
    send("i-1", T0, health(5, 1), read("/srv/shop/orders.db"), read("/etc/shop/app.conf"));
    send("i-2", T0, health(5, 1));
    for (long t = T0 + 20_000; t <= T0 + 2 * SILENT_MS; t += 20_000) {
      send("i-2", t, health(5 + t / 1000, t / 1000)); // i-2 goes on, i-1 is quiet
      detection.tick(t, state);
    }
    List<Alert> alerts = published(AlertReason.AGENT_SILENT);
    assertEquals(1, alerts.size(), state.published::toString);
    Alert a = alerts.get(0);
    assertEquals(List.of("i-1"), a.getInstancesList());
    assertEquals(Severity.HIGH, a.getSeverity(), "other instances still report");
    assertTrue(a.getDescription().contains("/etc/shop/app.conf"), a::getDescription);
    assertTrue(a.getDescription().contains("last sign of life"), a::getDescription);
    // Still quiet: the same silence is not raised again (i-2 has been quiet for 10 s only).
    detection.tick(T0 + 2 * SILENT_MS + 10_000, state);
    assertEquals(1, published(AlertReason.AGENT_SILENT).size());
    // Once i-2 too has been quiet that long, it is silent in its turn, the service with it.
    detection.tick(T0 + 3 * SILENT_MS, state);
    List<Alert> both = published(AlertReason.AGENT_SILENT);
    assertEquals(2, both.size());
    assertEquals(List.of("i-2"), both.get(1).getInstancesList());
    assertEquals(Severity.MEDIUM, both.get(1).getSeverity());
  }

  @Test
  void aGoodbyeMakesTheSilenceExpected() {
    send("i-1", T0, health(5, 1));
    send("i-1", T0 + 1_000, health(6, 1).setGoodbye(true));
    detection.tick(T0 + 10 * SILENT_MS, state);
    assertEquals(List.of(), published(AlertReason.AGENT_SILENT));
  }

  @Test
  void aWholeServiceGoingQuietIsSilentAtMediumSeverity() {
    send("i-1", T0, health(5, 1));
    detection.tick(T0 + SILENT_MS - 1, state);
    assertEquals(List.of(), published(AlertReason.AGENT_SILENT), "not yet");
    detection.tick(T0 + SILENT_MS + 1, state);
    List<Alert> alerts = published(AlertReason.AGENT_SILENT);
    assertEquals(1, alerts.size());
    assertEquals(Severity.MEDIUM, alerts.get(0).getSeverity());
  }

  @Test
  void eventsSeenFrozenWhileCanariesArriveIsSilent() {
    send("i-1", T0, health(100, 1));
    send("i-1", T0 + 1_000, health(100, 2));
    send("i-1", T0 + 2_000, health(100, 3));
    assertEquals(List.of(), published(AlertReason.AGENT_SILENT), "two frozen heartbeats: not yet");
    send("i-1", T0 + 3_000, health(100, 4));
    List<Alert> alerts = published(AlertReason.AGENT_SILENT);
    assertEquals(1, alerts.size(), state.published::toString);
    assertTrue(alerts.get(0).getTitle().contains("stopped seeing"), alerts.get(0)::getTitle);
  }

  @Test
  void anIdleApplicationIsNotFrozen() {
    // The canary alone moves events_seen by one per heartbeat.
    for (int i = 0; i < 10; i++) {
      send("i-1", T0 + i * 1_000L, health(100 + i, 1 + i));
    }
    assertEquals(List.of(), published(AlertReason.AGENT_SILENT));
  }
}
