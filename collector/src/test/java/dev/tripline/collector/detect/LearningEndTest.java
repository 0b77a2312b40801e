package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KnownBadGapsTest;
import dev.tripline.model.judge.KnownBadRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: learning that never ends while something new appears every few seconds. A hard maximum
 * ends it, and what was learned in its last stretch is reported for review.
 */
class LearningEndTest {
  private static final long T0 = 5_000_000;
  private static final Duration PERIOD = Duration.ofSeconds(20);
  private static final Duration QUIET = Duration.ofSeconds(5);

  private static Detection.Settings settings(Duration max) {
    return new Detection.Settings(
        PERIOD,
        QUIET,
        Duration.ofHours(1), // no rate window closes here
        new Classifier(KnownBadRules.load(""), 1_000),
        new RateModel(0.6),
        true,
        Detection.maxLearning(PERIOD, max),
        Duration.ZERO,
        Detection.Settings.SILENT_AFTER);
  }

  /** Profiles and alerts in maps; every raised alert is kept as raised. */
  static final class MapState implements Detection.State {
    final Map<String, ServiceProfile> profiles = new LinkedHashMap<>();
    final Map<String, Alert> alerts = new LinkedHashMap<>();
    final List<Alert> raised = new ArrayList<>();

    @Override
    public Profiles profile(String service, long now) {
      ServiceProfile p = profiles.get(service);
      return p == null
          ? Profiles.create(service, now, PERIOD).bounded(1_000, 1 << 22, 0)
          : Profiles.of(p).bounded(1_000, 1 << 22, p.getSerializedSize());
    }

    @Override
    public void save(Profiles profile, long now) {
      profiles.put(profile.builder().getService(), profile.build());
    }

    @Override
    public void forEachProfile(Consumer<Profiles> action) {
      new ArrayList<>(profiles.values()).forEach(p -> action.accept(Profiles.of(p)));
    }

    @Override
    public void retire(String service) {
      profiles.remove(service);
    }

    @Override
    public Alert alert(String id) {
      return alerts.get(id);
    }

    @Override
    public void update(Alert alert) {
      alerts.put(alert.getId(), alert);
    }

    @Override
    public boolean raise(Alert alert) {
      raised.add(alert);
      return alerts.put(alert.getId(), alert) == null;
    }

    List<Alert> of(AlertReason reason) {
      return raised.stream().filter(a -> a.getReason() == reason).toList();
    }

    ServiceProfile profile() {
      return profiles.get("churn");
    }
  }

  private static final AgentIdentity AGENT =
      AgentIdentity.newBuilder().setService("churn").setInstanceId("i-1").build();

  private static Event read(String path) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setCount(1)
        .setFile(FileTarget.newBuilder().setPath(path))
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Reports").setMethodName("load"))
        .build();
  }

  private static Event connect(String ip, int port) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setCount(1)
        .setNetwork(NetworkTarget.newBuilder().setIp(ip).setPort(port).setProtocol("tcp"))
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Beacon").setMethodName("call"))
        .build();
  }

  private static void send(Detection d, MapState state, long now, Event e) {
    Profiles p = state.profile("churn", now);
    d.batch(p, EventBatch.newBuilder().setAgent(AGENT).addEvents(e).build(), now, state);
    state.save(p, now);
  }

  /** Names without digits: the normaliser folds digit runs, and each file must be new. */
  private static String letters(long n) {
    StringBuilder b = new StringBuilder();
    do {
      b.insert(0, (char) ('a' + n % 26));
      n /= 26;
    } while (n > 0);
    return b.toString();
  }

  /** A new file every 3 s from the start, a C2 connect at 31 s; ticks every second. */
  private static long churn(Detection d, MapState state, long untilSeconds) {
    for (long s = 0; s <= untilSeconds; s++) {
      long now = T0 + s * 1000;
      if (s % 3 == 0) send(d, state, now, read("/srv/reports/r-" + letters(s) + ".csv"));
      if (s == 31) send(d, state, now, connect("203.0.113.9", 4444));
      d.tick(now, state);
      if (state.profile().getState() == ProfileState.MONITORING) return s;
    }
    return -1;
  }

  @Test
  void aServiceThatNeverSettlesStopsLearningAtTheMaximumAndTheLateStretchIsReported() {
    MapState state = new MapState();
    Detection d =
        new Detection(settings(Duration.ofSeconds(40)), 1_000, DetectionTest.NO_METER, T0);
    long endedAt = churn(d, state, 120);
    assertEquals(40, endedAt, "learning.max ends it; the churn alone would keep it learning");
    assertEquals("auto (learning.max)", state.profile().getStateChangedBy());

    List<Alert> reports = state.of(AlertReason.LEARNING_ENDED);
    assertEquals(1, reports.size(), reports.toString());
    Alert report = reports.get(0);
    assertEquals(Severity.MEDIUM, report.getSeverity(), "ended while new behaviour still came");
    assertEquals("learning-max", report.getRule());
    // The stretch runs from a quiet period before the earliest end (15 s) to the end (40 s): files
    // at 15, 18, …, 39 (9 of them) and the connect.
    assertTrue(
        report.getTitle().contains("10 behaviours learned in the last 25s"), report.getTitle());
    String firstListed = report.getDescription().split("\n")[1].trim();
    assertEquals(
        "net_connect 203.0.113.9:4444 by com.acme.Beacon.call (seen 1×)",
        firstListed,
        "the lone connect amid the churn of files comes first: " + report.getDescription());
    assertEquals("203.0.113.9:4444", report.getNormalizedTarget());

    // Monitoring now: the next new file is an alert, not more learning.
    send(d, state, T0 + 41_000, read("/srv/reports/late.csv"));
    assertEquals(1, state.of(AlertReason.NEW_FILE_ACCESS).size(), state.raised.toString());
  }

  @Test
  void aServiceThatSettlesEndsByItselfAndReportsWhatCameLateAsInfo() {
    MapState state = new MapState();
    Detection d = new Detection(settings(Duration.ZERO), 1_000, DetectionTest.NO_METER, T0);
    send(d, state, T0, read("/srv/app/config.yml"));
    send(d, state, T0 + 17_000, read("/srv/app/late.yml")); // within the last quiet period
    long ended = -1;
    for (long s = 0; s <= 60 && ended < 0; s++) {
      d.tick(T0 + s * 1000, state);
      if (state.profile().getState() == ProfileState.MONITORING) ended = s;
    }
    assertEquals(22, ended, "the period (20 s), then a quiet 5 s after the last new thing");
    assertEquals("auto", state.profile().getStateChangedBy());
    Alert report = state.of(AlertReason.LEARNING_ENDED).get(0);
    assertEquals(Severity.INFO, report.getSeverity());
    assertTrue(report.getTitle().contains("1 behaviour learned in the last"), report.getTitle());
    assertTrue(report.getDescription().contains("/srv/app/late.yml"), report.getDescription());
    assertTrue(!report.getDescription().contains("config.yml"), "learned early: not listed");
  }

  @Test
  void nothingLateNothingReported() {
    MapState state = new MapState();
    Detection d = new Detection(settings(Duration.ZERO), 1_000, DetectionTest.NO_METER, T0);
    send(d, state, T0, read("/srv/app/config.yml"));
    for (long s = 0; s <= 30; s++) d.tick(T0 + s * 1000, state);
    assertEquals(ProfileState.MONITORING, state.profile().getState());
    assertEquals(List.of(), state.of(AlertReason.LEARNING_ENDED));
  }

  @Test
  void theMaximumDefaultsToFourPeriodsAndIsNeverShorterThanOne() {
    assertEquals(Duration.ofSeconds(80), Detection.maxLearning(PERIOD, Duration.ZERO));
    assertEquals(Duration.ofSeconds(20), Detection.maxLearning(PERIOD, Duration.ofSeconds(3)));
    assertEquals(Duration.ofSeconds(50), Detection.maxLearning(PERIOD, Duration.ofSeconds(50)));
    MapState state = new MapState();
    Detection d = new Detection(settings(Duration.ZERO), 1_000, DetectionTest.NO_METER, T0);
    long endedAt = churn(d, state, 200);
    assertEquals(80, endedAt);
    assertNotNull(state.of(AlertReason.LEARNING_ENDED).get(0));
  }

  private static void sendAs(Detection d, MapState state, AgentIdentity agent, long now, Event e) {
    Profiles p = state.profile("churn", now);
    d.batch(p, EventBatch.newBuilder().setAgent(agent).addEvents(e).build(), now, state);
    state.save(p, now);
  }

  private static AgentIdentity instance(String id, String version) {
    return AgentIdentity.newBuilder()
        .setService("churn")
        .setInstanceId(id)
        .setServiceVersion(version)
        .setImage("quay.io/keycloak/keycloak:" + version)
        .build();
  }

  private static Event unix(String path) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setCount(1)
        .setNetwork(NetworkTarget.newBuilder().setProtocol("unix").setPath(path))
        .build();
  }

  @Test
  void aNewVersionLearnsItsStartUpForAShortGraceButNeverKnownBad() {
    MapState state = new MapState();
    Detection.Settings s =
        new Detection.Settings(
            PERIOD,
            QUIET,
            Duration.ofHours(1),
            new Classifier(KnownBadRules.load(""), 1_000),
            new RateModel(0.6),
            true,
            Detection.maxLearning(PERIOD, Duration.ZERO),
            Duration.ofMinutes(2),
            Detection.Settings.SILENT_AFTER);
    Detection d = new Detection(s, 1_000, DetectionTest.NO_METER, T0);
    AgentIdentity v1 = instance("i-1", "26.0.5");
    sendAs(d, state, v1, T0, read("/opt/keycloak/conf/keycloak.conf"));
    for (long t = 0; t <= 30; t++) d.tick(T0 + t * 1000, state);
    assertEquals(ProfileState.MONITORING, state.profile().getState());
    state.raised.clear();

    // Days later the same version restarts: its start-up novelty alerts (the version is known).
    long later = T0 + Duration.ofDays(2).toMillis();
    sendAs(d, state, instance("i-2", "26.0.5"), later, unix("/run/dbus/system_bus_socket"));
    assertEquals(1, state.of(AlertReason.NEW_CONNECTION).size(), state.raised.toString());
    state.raised.clear();

    // A rebuild, a new version: its start-up (D-Bus socket, new providers) is learned, reported
    // once.
    AgentIdentity v2 = instance("i-3", "26.1.0");
    sendAs(d, state, v2, later + 1_000, unix("/run/dbus/system_bus_socket2"));
    sendAs(d, state, v2, later + 5_000, read("/opt/keycloak/providers/acme-theme.jar.properties"));
    assertEquals(List.of(), state.of(AlertReason.NEW_CONNECTION), state.raised.toString());
    assertEquals(List.of(), state.of(AlertReason.NEW_FILE_ACCESS), state.raised.toString());
    List<Alert> reports = state.of(AlertReason.LEARNING_ENDED);
    assertEquals(2, reports.size(), "one per batch, one id: they fold into one alert");
    assertEquals(reports.get(0).getId(), reports.get(1).getId());
    assertEquals("version-grace", reports.get(0).getRule());
    assertEquals(Severity.INFO, reports.get(0).getSeverity());
    assertTrue(
        reports.get(0).getTitle().startsWith("New version 26.1.0"), reports.get(0).getTitle());
    assertTrue(
        reports.get(0).getDescription().contains("unix:/run/dbus/system_bus_socket2"),
        reports.get(0).getDescription());

    // Known-bad is never graced.
    sendAs(
        d,
        state,
        v2,
        later + 6_000,
        KnownBadGapsTest.spawn("/usr/bin/python3", "-c", "import pty"));
    assertEquals(1, state.of(AlertReason.KNOWN_BAD).size(), state.raised.toString());

    // Past the grace, the new version is judged like any other.
    state.raised.clear();
    sendAs(d, state, v2, later + 121_000, read("/opt/keycloak/data/late.txt"));
    assertEquals(1, state.of(AlertReason.NEW_FILE_ACCESS).size(), state.raised.toString());

    // A producer claiming ever new versions gets the grace for a few of them only.
    state.raised.clear();
    long next = later + 200_000;
    for (int i = 0; i < 5; i++) {
      sendAs(
          d, state, instance("x-" + i, "9." + i), next + i, read("/srv/new-" + (char) ('a' + i)));
    }
    assertEquals(
        2,
        state.of(AlertReason.NEW_FILE_ACCESS).size(),
        "three new versions per learning period are graced, the other two alert");
  }
}
