package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request scopes cannot be forged or cleared through the bridge's public entry (docs/detection.md
 * "Request context"): a payload that reports every hook number's scope exit inside a real request
 * still has its file read carry that request; one that opens scopes outside any request with a
 * request object kept from earlier has its read carry none. Each refused report is counted apart
 * from events and named in the tamper findings.
 */
class RequestForgeryIT {
  private static final String APP = "dev.tripline.testapp.RequestForgeryApp";

  @OnEveryJdk
  void forgedScopesAreRefusedCountedAndReported(Path java, @TempDir Path work) throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString(), "agent")
            .assertFinished("FORGERYAPP DONE");
    assertTrue(run.output.contains("status: HTTP/1.1 200"), run.toString());

    Map<String, Object> cleared = read(run, files, "cleared");
    Object request = cleared.get("request");
    assertTrue(request instanceof Map, "the request is still named: " + cleared);
    assertEquals("/hidden", ((Map<?, ?>) request).get("path"), request.toString());

    Map<String, Object> forged = read(run, files, "forged");
    assertNull(forged.get("request"), "no request pinned on the payload's read: " + forged);

    Map<String, Object> health =
        run.events.stream()
            .filter(e -> "AGENT_HEALTH".equals(e.get("kind")))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no heartbeat: " + run));
    // two request-scope hooks (servlet, reactor-netty) and the route, in two sweeps of 7 guesses
    assertTrue(((Number) health.get("requestReportsRefused")).longValue() >= 42, health.toString());
    assertTrue(
        String.valueOf(health.get("tamperFindings"))
            .contains("refused request scope request.servlet from " + APP + ".sweep"),
        health.toString());
    // the real request's entry and exit, counted apart from events
    assertTrue(((Number) health.get("requestReports")).longValue() >= 2, health.toString());
  }

  private static Map<String, Object> read(AgentRun run, Path files, String name) {
    String path = files.resolve(name + ".txt").toString();
    List<Map<String, Object>> reads =
        run.ofKind("FILE_READ").stream()
            .filter(e -> path.equals(e.get("path")))
            .collect(Collectors.toList());
    assertEquals(1, reads.size(), name + ": " + run);
    return reads.get(0);
  }
}
