package dev.tripline.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.model.CallSite;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiJsonCallSiteTest {
  @Test
  void theApiShowsArchiveAndHandoff() {
    Map<String, Object> m =
        ApiJson.callSite(
            CallSite.newBuilder()
                .setClassName("com.acme.Orders")
                .setMethodName("call")
                .setJarName("app.jar (BOOT-INF/classes)")
                .setArchive("app.jar")
                .setHandoff("executor")
                .build());
    assertEquals("app.jar (BOOT-INF/classes)", m.get("jar"));
    assertEquals("app.jar", m.get("archive"));
    assertEquals("executor", m.get("handoff"));
    Map<String, Object> plain =
        ApiJson.callSite(CallSite.newBuilder().setClassName("a.B").setJarName("b-1.jar").build());
    assertEquals(
        "", plain.get("archive"), "always present, empty when none: a stable shape for clients");
    assertEquals("", plain.get("handoff"));
  }
}
