package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.config.SensitiveFiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, files: the collector judges what the agent says was opened — a hard link as the
 * sensitive file it is ({@code same_file_as}), a swapped symlink and a name no Path can hold by
 * their real path — never by the name the application gave.
 */
class WhatWasOpenedTest {
  private static final long T0 = 1_000_000;
  private static final KnownBadRules BUILT_IN = KnownBadRules.load("");

  private final DetectionTest.MapState state = new DetectionTest.MapState();
  private final Detection detection =
      new Detection(DetectionTest.settings(), 3, DetectionTest.NO_METER, T0);

  private static Event read(FileTarget.Builder f) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setCount(1)
        .setFile(f)
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Shop").setMethodName("m"))
        .build();
  }

  private List<Alert> judge(Event e) {
    EventBatch b =
        EventBatch.newBuilder()
            .setAgent(AgentIdentity.newBuilder().setService("shop").setInstanceId("i-1"))
            .addEvents(e)
            .build();
    Profiles p = state.profile("shop", T0);
    state.published.clear();
    detection.batch(p, b, T0, state);
    state.save(p, T0);
    return List.copyOf(state.published);
  }

  private static Alert knownBad(List<Alert> alerts, String what) {
    assertEquals(1, alerts.size(), what + ": " + alerts);
    Alert a = alerts.get(0);
    assertEquals(AlertReason.KNOWN_BAD, a.getReason(), what);
    return a;
  }

  @Test
  void aHardLinkIsJudgedAsTheSensitiveFileItIsEvenWhileLearning() {
    for (String link : List.of("/tmp/notes.txt", "/srv/app/lib/helper.jar", "/opt/jdk/lib/x.cfg")) {
      state.alerts.clear(); // each link on its own: the second would fold into the first's alert
      FileTarget.Builder f =
          FileTarget.newBuilder()
              .setPath(link)
              .setSameFileAs("/home/app/.aws/credentials")
              .setLinks(2);
      assertEquals("/home/app/.aws/credentials", Normalizer.judgedPath(f.build()));
      Alert a = knownBad(judge(read(f)), link);
      assertEquals(Severity.HIGH, a.getSeverity());
      assertTrue(a.getTitle().contains("Credentials"), a.getTitle());
      assertTrue(
          a.getEvent().getFile().getPath().equals(link), "the alert keeps the link's own name");
    }
    FileTarget shadow =
        FileTarget.newBuilder().setPath("/tmp/x").setSameFileAs("/etc/shadow").setLinks(2).build();
    assertTrue(
        Suspicion.sensitive(EventKind.FILE_READ, Normalizer.key(read(shadow.toBuilder()))),
        "Suspicion scores the file it is, not its name");
  }

  @Test
  void theSameNameAndRealPathWithAndWithoutSameFileAsAreClassifiedApart() {
    Classifier classifier = new Classifier(BUILT_IN, 100);
    FileTarget.Builder plain = FileTarget.newBuilder().setPath("/tmp/notes.txt").setLinks(1);
    assertTrue(classifier.classify(read(plain)).rule().isEmpty(), "a one-link notes file");
    FileTarget.Builder linked =
        FileTarget.newBuilder().setPath("/tmp/notes.txt").setSameFileAs("/etc/shadow").setLinks(2);
    assertEquals(
        "credential-file",
        classifier.classify(read(linked)).rule().map(KnownBadRules.Rule::id).orElse("none"),
        "the cached verdict of the same name must not answer for a hard link");
  }

  @Test
  void aSwappedSymlinkAndAnUnmappableNameAreJudgedByWhatWasOpened() {
    // the agent reports the second open of a swapped link with what it opened now
    knownBad(
        judge(
            read(
                FileTarget.newBuilder()
                    .setPath("/srv/uploads/link")
                    .setRealPath("/home/app/.ssh/id_rsa"))),
        "swapped link");
    // a name java.io turned into "x?" before opening; its real path through the same route
    knownBad(
        judge(
            read(
                FileTarget.newBuilder()
                    .setPath("/srv/uploads/x\u00e9")
                    .setRealPath("/etc/shadow"))),
        "unmappable name");
  }

  @Test
  void everySensitiveFileTheAgentRecognisesIsOneTheBuiltInRulesName() {
    for (String p : SensitiveFiles.paths("/home/app", List.of())) {
      Event e =
          p.endsWith(".sock")
              ? Event.newBuilder()
                  .setKind(EventKind.NET_CONNECT)
                  .setNetwork(
                      NetworkTarget.newBuilder()
                          .setProtocol("unix")
                          .setPath("/tmp/innocent.sock")
                          .setSameFileAs(p))
                  .build()
              : read(FileTarget.newBuilder().setPath("/tmp/innocent").setSameFileAs(p));
      String rule = BUILT_IN.match(e).map(KnownBadRules.Rule::id).orElse("none");
      assertNotEquals("none", rule, p + " is on the agent's list but no rule names it");
    }
  }

  @Test
  void aHardLinkToDockersSocketIsThatSocketEvenWhileLearning() {
    Event connect =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setCount(1)
            .setSuccess(true)
            .setNetwork(
                NetworkTarget.newBuilder()
                    .setProtocol("unix")
                    .setPath("/srv/app/cache/innocent.sock")
                    .setSameFileAs("/var/run/docker.sock"))
            .setCallSite(CallSite.newBuilder().setClassName("com.acme.Shop").setMethodName("m"))
            .build();
    Alert a = knownBad(judge(connect), "linked socket");
    assertEquals("container-socket", a.getRule());
    assertEquals(Severity.CRITICAL, a.getSeverity());
    assertEquals(
        "/srv/app/cache/innocent.sock",
        a.getEvent().getNetwork().getPath(),
        "the alert keeps the link's own name");
    Classifier classifier = new Classifier(BUILT_IN, 100);
    Event plain =
        connect.toBuilder().setNetwork(connect.getNetwork().toBuilder().clearSameFileAs()).build();
    assertTrue(classifier.classify(plain).rule().isEmpty(), "the same name, one link");
    assertEquals(
        "container-socket",
        classifier.classify(connect).rule().map(KnownBadRules.Rule::id).orElse("none"),
        "the cached verdict of the same name must not answer for a hard link");
  }
}
