package dev.tripline.collector.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.ProfileEntry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The worst cases: strings, lists, alerts and profiles built to be as large as a record allows. */
class RecordLimitsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Meters meters = new Meters(registry);

  @Test
  void longStringsAndListsAreCappedWithAMarkerAndCounted() {
    StringCaps caps = new StringCaps(4096, meters);
    ProcessTarget.Builder argv =
        ProcessTarget.newBuilder().setExecutable("/bin/" + "s".repeat(10_000));
    for (int i = 0; i < 10_000; i++) argv.addArgv("arg" + i);
    EventBatch batch =
        EventBatch.newBuilder()
            .setAgent(
                AgentIdentity.newBuilder()
                    .setService("svc")
                    .setHost("h".repeat(1_000_000))
                    .putLabels("k", "v".repeat(5000)))
            .addEvents(
                Event.newBuilder()
                    .setKind(EventKind.FILE_READ)
                    .setFile(FileTarget.newBuilder().setPath("/" + "p".repeat(1_200_000))))
            .addEvents(Event.newBuilder().setKind(EventKind.PROCESS_SPAWN).setProcess(argv))
            .addEvents(
                Event.newBuilder()
                    .setKind(EventKind.FILE_READ)
                    .setFile(FileTarget.newBuilder().setPath("/etc/hosts")))
            .build();
    EventBatch capped = caps.apply(batch);
    String path = capped.getEvents(0).getFile().getPath();
    assertTrue(
        path.length() < 4200 && path.endsWith("…[truncated " + (1_200_001 - 4096) + " chars]"),
        path.substring(4000));
    // argv: the first 191 and the last 64 around a marker (issue 21 case 8: never dropped silently)
    var cut = capped.getEvents(1).getProcess().getArgvList();
    assertEquals(256, cut.size());
    assertEquals("arg190", cut.get(190));
    assertEquals("…[+" + (10_000 - 255) + " args]…", cut.get(191));
    assertEquals("arg9936", cut.get(192));
    assertEquals("arg9999", cut.get(255));
    assertTrue(capped.getEvents(1).getProcess().getExecutable().length() < 4200);
    assertTrue(
        capped.getAgent().getHost().length() < 4200
            && capped.getAgent().getLabelsOrThrow("k").length() < 4200);
    assertEquals("svc", capped.getAgent().getService());
    assertEquals(batch.getEvents(2), capped.getEvents(2), "small events untouched");
    assertTrue(capped.getSerializedSize() < 40_000, "size " + capped.getSerializedSize());
    assertEquals(4, registry.get("tripline.strings.truncated").counter().count());
    assertEquals(1, registry.get("tripline.lists.capped").counter().count());
  }

  /** The agent's own cut (256 entries, its marker inside) reaches alerts whole. */
  @Test
  void anArgvTheAgentAlreadyCutPassesWhole() {
    StringCaps caps = new StringCaps(4096, meters);
    ProcessTarget.Builder argv = ProcessTarget.newBuilder().setExecutable("/bin/sh");
    for (int i = 0; i < 191; i++) argv.addArgv("x".repeat(30) + i);
    argv.addArgv("…[+744 args]…");
    for (int i = 0; i < 64; i++) argv.addArgv("y" + i);
    Event e = Event.newBuilder().setKind(EventKind.PROCESS_SPAWN).setProcess(argv).build();
    assertTrue(e.getSerializedSize() > 4096, "large enough to be examined");
    EventBatch capped = caps.apply(EventBatch.newBuilder().addEvents(e).build());
    assertEquals(argv.getArgvList(), capped.getEvents(0).getProcess().getArgvList());
  }

  @Test
  void anAlertThatWouldNotFitIsCutDownInProtobufAndAsJson() {
    RecordLimits limits = new RecordLimits(1_000_000, 786_432, 100, meters);
    ProcessTarget.Builder argv = ProcessTarget.newBuilder().setExecutable("/bin/sh");
    // Control characters: six bytes each once JSON-escaped.
    for (int i = 0; i < 128; i++) argv.addArgv("\u0001".repeat(4096));
    Alert.Builder a =
        Alert.newBuilder()
            .setId("x")
            .setService("svc")
            .setReason(AlertReason.NEW_PROCESS)
            .setTitle("t".repeat(4096))
            .setDescription("\u0002".repeat(100_000))
            .setEvent(Event.newBuilder().setKind(EventKind.PROCESS_SPAWN).setProcess(argv));
    for (int i = 0; i < 1000; i++) a.addInstances("i-" + i);
    assertTrue(OcsfJson.of(a.build()).length() > 3_000_000, "the case is real");
    Alert fit = limits.fit(a.build());
    assertTrue(fit.getSerializedSize() < 1_000_000);
    assertTrue(OcsfJson.of(fit).getBytes(StandardCharsets.UTF_8).length < 1_000_000);
    assertEquals(100, fit.getInstancesCount());
    assertEquals("x", fit.getId());
    assertTrue(
        fit.getEvent().getProcess().getArgvList().contains("…[+113 args]…"),
        "the argv cut is marked");
    assertEquals(
        1, registry.get("tripline.records.oversize").tag("record", "alert").counter().count());
  }

  @Test
  void aProfileBeyondItsBudgetIsCutToFit() {
    RecordLimits limits = new RecordLimits(1_000_000, 100_000, 100, meters);
    Profiles p = Profiles.create("svc", 0, Duration.ofHours(1));
    for (int i = 0; i < 5_000; i++) {
      p.builder()
          .addEntries(
              ProfileEntry.newBuilder()
                  .setKey("FILE_READ|/f/" + i)
                  .setTarget("/f/" + i)
                  .setOrigin(Profiles.LEARNED));
      p.builder()
          .putInstances(
              "i-" + i,
              InstanceSeen.newBuilder()
                  .setLastSeenMs(i)
                  .setAgent(AgentIdentity.newBuilder().setHost("h" + i))
                  .build());
    }
    var fit = limits.fit(p);
    assertTrue(fit.getSerializedSize() <= 100_000, "size " + fit.getSerializedSize());
    assertTrue(
        fit.getInstancesCount() <= 100 && fit.getInstancesMap().containsKey("i-4999"),
        "the most recent instances stay");
    assertEquals(
        1, registry.get("tripline.records.oversize").tag("record", "profile").counter().count());
  }
}
