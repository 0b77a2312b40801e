package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request context on a {@code javax.servlet} container (embedded Tomcat 9: Spring Boot 2 and the
 * older containers): a servlet's file read carries its request — method, path, redacted query,
 * client, the forwarded chain as sent, the trace id — never a cookie or an Authorization header,
 * and the next request carries only its own.
 */
class JavaxServletRequestIT {
  private static final String APP = "dev.tripline.testapp.JavaxServletApp";

  @OnEveryJdk
  void aServletsReadCarriesItsRequest(Path java, @TempDir Path work) throws Exception {
    String classpath =
        AgentRun.testAppJar()
            + File.pathSeparator
            + Path.of(Tomcat.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + File.pathSeparator
            + Path.of(
                Class.forName("javax.annotation.PostConstruct")
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
    AgentRun run =
        AgentRun.run(java, work, classpath, APP, List.of(), work.toString(), "agent")
            .assertFinished("JAVAXSERVLETAPP DONE");
    assertTrue(run.output.contains("status first: 200 first"), run.toString());
    assertTrue(run.output.contains("status second: 200 second"), run.toString());

    Map<String, Object> first = request(run, work, "first");
    assertEquals("servlet", first.get("server"), first.toString());
    assertEquals("POST", first.get("method"));
    assertEquals("/files/import", first.get("path"));
    assertEquals("f=first&token=<redacted>", first.get("query"));
    assertEquals("127.0.0.1", first.get("clientAddress"));
    assertEquals(List.of("203.0.113.7", "10.1.2.3"), first.get("forwardedFor"));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", first.get("traceId"));
    String all = run.events.toString();
    for (String secret : List.of("s3cr3t", "cookie-secret", "auth-secret")) {
      assertFalse(all.contains(secret), secret + " sent: " + run);
    }

    Map<String, Object> second = request(run, work, "second");
    assertEquals("GET", second.get("method"));
    assertEquals("/files/next", second.get("path"));
    assertNull(second.get("forwardedFor"), "only its own headers: " + second);
    assertNull(second.get("traceId"), second.toString());

    Map<String, Object> health =
        run.events.stream()
            .filter(e -> "AGENT_HEALTH".equals(e.get("kind")))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no heartbeat: " + run));
    assertTrue(
        String.valueOf(health.get("hooksApplied")).contains("request.servlet-javax"),
        health.toString());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> request(AgentRun run, Path work, String name) {
    String path = work.resolve("files").resolve(name + ".txt").toString();
    List<Map<String, Object>> reads =
        run.ofKind("FILE_READ").stream()
            .filter(e -> path.equals(e.get("path")))
            .collect(Collectors.toList());
    assertEquals(1, reads.size(), name + ": " + run);
    Object r = reads.get(0).get("request");
    assertTrue(r instanceof Map, name + " carries its request: " + reads.get(0));
    return (Map<String, Object>) r;
  }
}
