package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.CallSite;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.judge.KnownBadRules;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Protect mode in alert folding: a refused (or would-be refused) call is never hidden in a count.
 */
class AlertDispositionTest {
  private static final AgentIdentity AGENT =
      AgentIdentity.newBuilder().setService("shop").setInstanceId("i-1").build();

  private static Alert alert(Disposition d, long count) {
    Event e =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setDisposition(d)
            .setProtectionRule(d == Disposition.DISPOSITION_NONE ? "" : "jndi-reach-out")
            .build();
    return Alert.newBuilder()
        .setId("a1")
        .setReason(AlertReason.KNOWN_BAD)
        .setEvent(e)
        .setDisposition(d)
        .setCount(count)
        .setState(AlertState.OPEN)
        .addSamples("127.0.0.1:1389")
        .build();
  }

  @Test
  void anAlertRaisedFromAJudgedEventCarriesItsDisposition() {
    Detector detector = new Detector(new Classifier(KnownBadRules.load(""), 1_000), true);
    Profiles p = Profiles.create("shop", 0, Duration.ofSeconds(1));
    p.setState(ProfileState.MONITORING, "test", 2, Duration.ofSeconds(1));
    Event e =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setCount(1)
            .setNetwork(
                NetworkTarget.newBuilder()
                    .setHost("evil.example")
                    .setIp("203.0.113.9")
                    .setPort(4444)
                    .setProtocol("tcp"))
            .setCallSite(CallSite.newBuilder().setClassName("com.acme.Job").setMethodName("m"))
            .setDisposition(Disposition.BLOCKED)
            .setProtectionRule("new-behaviour:NET_CONNECT")
            .build();
    Alert a = detector.judge(p, AGENT, e, 3).any();
    assertEquals(AlertReason.NEW_CONNECTION, a.getReason());
    assertEquals(Disposition.BLOCKED, a.getDisposition());
    assertEquals("new-behaviour:NET_CONNECT", a.getEvent().getProtectionRule());
  }

  @Test
  void aBlockedCallFoldedIntoAnAlertOfTheSameTargetIsPublishedWithItsDisposition() {
    AlertFolding.Folded f =
        AlertFolding.fold(alert(Disposition.WOULD_BLOCK, 3), alert(Disposition.BLOCKED, 1), 8);
    assertTrue(f.publish(), "a count of 4 would not have been published");
    assertEquals(Disposition.BLOCKED, f.stored().getDisposition());
    assertEquals("jndi-reach-out", f.stored().getEvent().getProtectionRule());
    assertEquals(4, f.stored().getCount());
  }

  @Test
  void theSameDispositionAgainOrAPlainEventFoldsQuietlyAndKeepsIt() {
    AlertFolding.Folded same =
        AlertFolding.fold(alert(Disposition.BLOCKED, 3), alert(Disposition.BLOCKED, 1), 8);
    assertFalse(same.publish());
    AlertFolding.Folded plain =
        AlertFolding.fold(
            alert(Disposition.WOULD_BLOCK, 3), alert(Disposition.DISPOSITION_NONE, 1), 8);
    assertFalse(plain.publish());
    assertEquals(Disposition.WOULD_BLOCK, plain.stored().getDisposition());
  }

  @Test
  void anAcknowledgedAlertReopensWhenACallIsRefused() {
    Alert acked =
        alert(Disposition.DISPOSITION_NONE, 5).toBuilder()
            .setState(AlertState.ACKNOWLEDGED)
            .build();
    AlertFolding.Folded f = AlertFolding.fold(acked, alert(Disposition.BLOCKED, 1), 8);
    assertTrue(f.publish());
    assertEquals(AlertState.OPEN, f.stored().getState());
    assertEquals(Disposition.BLOCKED, f.stored().getDisposition());
  }
}
