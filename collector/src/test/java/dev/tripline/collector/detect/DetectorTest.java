package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.KnownBadRulesTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The learn / alert / known-bad / code-owner decision, without Kafka. */
class DetectorTest {
  private static final AgentIdentity AGENT =
      AgentIdentity.newBuilder().setService("shop").setInstanceId("i-1").build();
  private final Detector detector =
      new Detector(new Classifier(KnownBadRules.load(""), 1_000), true);

  private static Event connectFrom(String cls, String jar) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setCount(1)
        .setNetwork(
            NetworkTarget.newBuilder()
                .setHost("db.internal")
                .setIp("10.0.0.9")
                .setPort(5432)
                .setProtocol("tcp"))
        .setCallSite(CallSite.newBuilder().setClassName(cls).setMethodName("m").setJarName(jar))
        .build();
  }

  private static Profiles monitoring(Profiles p) {
    p.setState(ProfileState.MONITORING, "test", 2, Duration.ofSeconds(1));
    return p;
  }

  @Test
  void learnsBehaviourAndItsOwnersThenAlertsOnNewCode() {
    Profiles p = Profiles.create("shop", 0, Duration.ofSeconds(1));
    assertNull(detector.judge(p, AGENT, connectFrom("com.acme.shop.Repo", ""), 1).any());
    assertNull(
        detector
            .judge(p, AGENT, connectFrom("org.postgresql.Driver", "postgresql-42.7.3.jar"), 1)
            .any());
    ProfileEntry entry = p.entry("NET_CONNECT|db.internal:5432");
    assertEquals(
        List.of("com.acme.shop.*", "postgresql.jar"),
        entry.getCodeOwnersList(),
        "jar without version, package for app classes");

    monitoring(p);
    assertNull(
        detector.judge(p, AGENT, connectFrom("com.acme.shop.Other", ""), 3).any(), "same package");
    assertNull(
        detector
            .judge(p, AGENT, connectFrom("org.postgresql.Driver", "postgresql-42.7.4.jar"), 3)
            .any(),
        "an upgrade is not new code");
    Alert a =
        detector
            .judge(p, AGENT, connectFrom("freemarker.core.Expr", "freemarker-2.3.32.jar"), 4)
            .any();
    assertNotNull(a);
    assertEquals(AlertReason.NEW_CODE_PATH, a.getReason());
    assertEquals(Severity.LOW, a.getSeverity());
    assertTrue(
        a.getTitle().contains("db.internal:5432") && a.getTitle().contains("freemarker.jar"),
        a.getTitle());
    assertTrue(
        a.getContext().getSummary().contains("com.acme.shop.*, postgresql.jar"),
        a.getContext().getSummary());
    assertEquals(5, p.entry("NET_CONNECT|db.internal:5432").getCount(), "still counted");

    Event withContext =
        connectFrom("freemarker.core.Expr", "freemarker-2.3.32.jar").toBuilder()
            .addContexts(
                dev.tripline.model.CodeContext.newBuilder()
                    .setCategory("reflection")
                    .setFrame("java.lang.reflect.Method.invoke"))
            .build();
    assertEquals(
        Severity.MEDIUM,
        detector.judge(p, AGENT, withContext, 5).any().getSeverity(),
        "a context frame makes it MEDIUM");
    Event underGadget =
        connectFrom("freemarker.core.Expr", "freemarker-2.3.32.jar").toBuilder()
            .addContexts(KnownBadRulesTest.DESER)
            .build();
    assertEquals(
        "gadget-io",
        detector.judge(p, AGENT, underGadget, 5).any().getRule(),
        "under deserialization even a known connect is known-bad (issue 22)");

    // The analyst accepts: the owner joins the entry, the behaviour stays one entry.
    p.add("NET_CONNECT|db.internal:5432", a.getEvent(), "accepted by ana", 6);
    assertNull(
        detector
            .judge(p, AGENT, connectFrom("freemarker.core.Expr", "freemarker-2.3.32.jar"), 7)
            .any());
    assertEquals(3, p.entry("NET_CONNECT|db.internal:5432").getCodeOwnersCount());
  }

  @Test
  void codeOwnerAlertsCanBeSwitchedOff() {
    Detector quiet = new Detector(new Classifier(KnownBadRules.load(""), 1_000), false);
    Profiles p = Profiles.create("shop", 0, Duration.ofSeconds(1));
    quiet.judge(p, AGENT, connectFrom("com.acme.shop.Repo", ""), 1).any();
    monitoring(p);
    assertNull(
        quiet
            .judge(p, AGENT, connectFrom("freemarker.core.Expr", "freemarker-2.3.32.jar"), 3)
            .any());
    assertEquals(
        AlertReason.NEW_CONNECTION,
        quiet
            .judge(
                p,
                AGENT,
                connectFrom("com.acme.shop.Repo", "").toBuilder()
                    .setNetwork(NetworkTarget.newBuilder().setIp("203.0.113.7").setPort(443))
                    .build(),
                4)
            .any()
            .getReason(),
        "NEW_* still alert");
  }

  @Test
  void ownersAreBoundedPerEntry() {
    Profiles p = Profiles.create("shop", 0, Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      detector.judge(p, AGENT, connectFrom("com.acme.p" + i + ".C", ""), 1).any();
    }
    List<String> owners = p.entry("NET_CONNECT|db.internal:5432").getCodeOwnersList();
    assertEquals(CodeOwner.MAX_PER_ENTRY, owners.size());
    assertEquals(CodeOwner.ANY, owners.get(owners.size() - 1), "past the bound: any code");
    monitoring(p);
    assertNull(detector.judge(p, AGENT, connectFrom("org.evil.X", "evil.jar"), 3).any());
  }

  @Test
  void entriesFromBeforeOwnersAdoptTheFirstOwnerSilently() {
    Profiles p =
        Profiles.of(
            dev.tripline.model.ServiceProfile.newBuilder()
                .setService("shop")
                .setState(ProfileState.MONITORING)
                .addEntries(
                    ProfileEntry.newBuilder()
                        .setKey("NET_CONNECT|db.internal:5432")
                        .setKind(EventKind.NET_CONNECT)
                        .setOrigin(Profiles.LEARNED))
                .build());
    assertNull(detector.judge(p, AGENT, connectFrom("com.acme.shop.Repo", ""), 1).any());
    assertEquals(
        AlertReason.NEW_CODE_PATH,
        detector.judge(p, AGENT, connectFrom("x.Y", "other.jar"), 2).any().getReason());
  }

  @Test
  void knownBadAlertsWhileLearningAndIsNeverLearned() {
    Profiles p = Profiles.create("shop", 0, Duration.ofSeconds(1));
    Event jndi =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setCount(1)
            .setNetwork(
                NetworkTarget.newBuilder().setIp("127.0.0.1").setPort(40123).setProtocol("tcp"))
            .setCallSite(
                CallSite.newBuilder()
                    .setClassName("org.apache.logging.log4j.core.net.JndiManager")
                    .setMethodName("lookup")
                    .setJarName("log4j-core-2.14.1.jar"))
            .addContexts(KnownBadRulesTest.JNDI)
            .build();
    for (int i = 0; i < 2; i++) {
      Alert a = detector.judge(p, AGENT, jndi, 1).any();
      assertEquals(AlertReason.KNOWN_BAD, a.getReason());
      assertEquals(Severity.CRITICAL, a.getSeverity());
      assertEquals("T1190", a.getMitre().getId());
      assertEquals(
          "JNDI lookup reached out: 127.0.0.1:40123 via JndiManager.lookup in log4j-core-2.14.1.jar (jndi)",
          a.getTitle());
    }
    assertNull(p.entry("NET_CONNECT|127.0.0.1:40123"), "never learned");
    // A normal connection learned, then the same target under JNDI: still known-bad.
    detector.judge(p, AGENT, connectFrom("com.acme.shop.Repo", ""), 1).any();
    Event dbUnderJndi =
        connectFrom("com.acme.shop.Repo", "").toBuilder()
            .addContexts(KnownBadRulesTest.JNDI)
            .build();
    assertEquals(AlertReason.KNOWN_BAD, detector.judge(p, AGENT, dbUnderJndi, 2).any().getReason());
  }

  @Test
  void alertsShowTheRequestedPathBesideTheRealOne() {
    Profiles p = Profiles.create("shop", 0, Duration.ofSeconds(1));
    Event traversal =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setCount(1)
            .setFile(
                FileTarget.newBuilder()
                    .setPath("/etc/passwd")
                    .setRequestedPath("data/../../etc/passwd"))
            .setCallSite(
                CallSite.newBuilder().setClassName("com.acme.shop.Files").setMethodName("get"))
            .build();
    monitoring(p);
    Alert a = detector.judge(p, AGENT, traversal, 3).any();
    assertEquals("New file read: /etc/passwd (requested as data/../../etc/passwd)", a.getTitle());
    assertEquals("/etc/passwd", a.getNormalizedTarget());
    Event forged =
        traversal.toBuilder()
            .setFile(FileTarget.newBuilder().setPath("/tmp/app/data/../../../etc/shadow"))
            .build();
    Alert b = detector.judge(p, AGENT, forged, 3).any();
    assertEquals(AlertReason.KNOWN_BAD, b.getReason());
    assertEquals(
        "Credentials file accessed: /etc/shadow (requested as /tmp/app/data/../../../etc/shadow)",
        b.getTitle());
    assertTrue(
        dev.tripline.collector.alert.OcsfJson.of(b)
            .contains("\"tripline_requested_path\":\"/tmp/app/data/../../../etc/shadow\""),
        dev.tripline.collector.alert.OcsfJson.of(b));
    String text = dev.tripline.collector.cli.AlertText.block(b);
    assertTrue(
        text.contains("target     /etc/shadow (requested as /tmp/app/data/../../../etc/shadow)"),
        text);
  }
}
