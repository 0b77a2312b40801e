package dev.tripline.collector.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.cli.AlertText;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ServiceProfile;
import org.junit.jupiter.api.Test;

/**
 * Alerts name the jar with the deployable it sits in, and the hand-off that brought the code to the
 * I/O.
 */
class CallSiteTextTest {
  private static final CallSite NESTED =
      CallSite.newBuilder()
          .setClassName("ch.qos.logback.core.FileAppender")
          .setMethodName("openFile")
          .setLineNumber(12)
          .setJarName("logback-core-1.5.20.jar")
          .setArchive("app.jar")
          .build();
  private static final CallSite HANDED_OFF =
      CallSite.newBuilder()
          .setClassName("com.acme.Orders")
          .setMethodName("call")
          .setLineNumber(40)
          .setJarName("app.jar (BOOT-INF/classes)")
          .setArchive("app.jar")
          .setHandoff("http-client")
          .build();

  private static Alert alert(CallSite site) {
    Event e =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setNetwork(
                NetworkTarget.newBuilder()
                    .setHost("evil.example")
                    .setIp("10.0.0.9")
                    .setPort(4444)
                    .setProtocol("tcp"))
            .setCallSite(site)
            .addContexts(
                CodeContext.newBuilder()
                    .setCategory("jndi")
                    .setFrame("a.b.JndiManager.lookup")
                    .setJarName("log4j-core-2.14.1.jar")
                    .setArchive("app.jar"))
            .build();
    return Alerts.newBehaviour(
        ServiceProfile.newBuilder().setService("shop").build(),
        AgentIdentity.newBuilder().setService("shop").build(),
        e,
        1_000L);
  }

  @Test
  void theArchiveFollowsTheJarUnlessTheNameAlreadySaysIt() {
    assertEquals(
        "logback-core-1.5.20.jar (app.jar)", Alerts.artifact("logback-core-1.5.20.jar", "app.jar"));
    assertEquals(
        "app.jar (BOOT-INF/classes)", Alerts.artifact("app.jar (BOOT-INF/classes)", "app.jar"));
    assertEquals("billing-2.3.jar", Alerts.artifact("billing-2.3.jar", ""));
  }

  @Test
  void descriptionTitleAndTerminalTextShowArchiveAndHandoff() {
    Alert nested = alert(NESTED);
    assertTrue(
        nested.getDescription().contains("in logback-core-1.5.20.jar (app.jar)."),
        nested.getDescription());
    assertFalse(nested.getDescription().contains("handed off"), nested.getDescription());
    assertTrue(
        nested.getTitle().contains("JndiManager.lookup in log4j-core-2.14.1.jar (app.jar)"),
        nested.getTitle());
    Alert handedOff = alert(HANDED_OFF);
    assertTrue(
        handedOff
            .getDescription()
            .contains(
                "Caused by com.acme.Orders.call (line 40) in app.jar (BOOT-INF/classes); handed off via http-client."),
        handedOff.getDescription());
    assertEquals(
        "com.acme.Orders.call(?:40) in app.jar (BOOT-INF/classes); handed off via http-client",
        AlertText.callSite(HANDED_OFF));
    assertEquals(
        "ch.qos.logback.core.FileAppender.openFile(?:12) in logback-core-1.5.20.jar (app.jar)",
        AlertText.callSite(NESTED));
  }

  @Test
  void ocsfJsonCarriesArchiveAndHandoff() {
    String json = OcsfJson.of(alert(HANDED_OFF));
    assertTrue(json.contains("\"archive\":\"app.jar\""), json);
    assertTrue(json.contains("\"handoff\":\"http-client\""), json);
    String plain = OcsfJson.of(alert(NESTED.toBuilder().clearArchive().build()));
    assertFalse(plain.contains("\"handoff\""), "absent when empty: " + plain);
  }
}
