package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.Patience;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request context on the JDK's {@code com.sun.net.httpserver} (docs/detection.md "Request
 * context"): a handler's file read carries its request (method, path, redacted query, client, port,
 * the forwarded chain as sent, the trace id), never a cookie or an Authorization header; the pooled
 * thread's work after the request carries none, and its next request only its own; hostile requests
 * (a 1 MB path, 10 000 forwarded hops, a malformed traceparent, non-UTF-8 bytes in the path) are
 * served as without the agent and their fields capped, flagged and counted.
 */
class RequestContextIT {
  private static final String APP = "dev.tripline.testapp.RequestApp";

  @OnEveryJdk
  void eachReadCarriesItsOwnRequestCappedAndNothingLeaksToTheNext(Path java, @TempDir Path work)
      throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString(), "agent")
            .assertFinished("REQUESTAPP DONE");
    for (String name : List.of("first", "second", "long", "hops", "badtrace", "bytes")) {
      assertTrue(run.output.contains("status " + name + ": HTTP/1.1 200"), name + ": " + run);
    }
    // served as without the agent: the same answer to every request, the refused one included
    assertEquals(
        statuses(withoutAgent(java, work.resolve("plain"))), statuses(run.output), run.toString());

    Map<String, Object> first = request(run, files, "first");
    assertEquals("jdk-httpserver", first.get("server"), first.toString());
    assertEquals("POST", first.get("method"));
    assertEquals("/", first.get("route"), "the context's path: this server's route");
    assertEquals("/import", first.get("path"));
    assertEquals("f=first&token=<redacted>", first.get("query"));
    assertEquals("127.0.0.1", first.get("clientAddress"));
    assertTrue(((Number) first.get("serverPort")).intValue() > 0, first.toString());
    assertEquals(List.of("203.0.113.7", "10.1.2.3"), first.get("forwardedFor"));
    assertEquals(true, first.get("forwardedByClient"));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", first.get("traceId"));
    assertEquals("00f067aa0ba902b7", first.get("spanId"));
    String all = run.events.toString();
    for (String secret : List.of("s3cr3t", "cookie-secret", "auth-secret")) {
      assertFalse(all.contains(secret), secret + " sent: " + run);
    }

    Map<String, Object> between = read(run, files, "between");
    assertEquals("request-pool", between.get("thread"), between.toString());
    assertNull(between.get("request"), "the pooled thread's work after the request: " + between);

    Map<String, Object> second = request(run, files, "second");
    assertEquals("GET", second.get("method"));
    assertEquals("/next", second.get("path"));
    assertNull(second.get("forwardedFor"), "only its own headers: " + second);
    assertNull(second.get("traceId"), second.toString());

    Map<String, Object> longPath = request(run, files, "long");
    assertEquals(true, longPath.get("pathCapped"), longPath.toString());
    assertTrue(String.valueOf(longPath.get("path")).length() <= 2049, "capped: " + longPath);

    Map<String, Object> hops = request(run, files, "hops");
    assertEquals(true, hops.get("forwardedCapped"), hops.toString());
    List<?> chain = (List<?>) hops.get("forwardedFor");
    assertEquals(16, chain.size(), hops.toString());
    assertEquals("203.0.113.7", chain.get(0));

    Map<String, Object> badTrace = request(run, files, "badtrace");
    assertEquals(true, badTrace.get("traceparentDropped"), badTrace.toString());
    assertNull(badTrace.get("traceId"), badTrace.toString());

    Map<String, Object> bytes = request(run, files, "bytes");
    assertEquals("/caf%FF%FE%C3", bytes.get("path"), bytes.toString());
    assertEquals(true, bytes.get("pathCapped"), bytes.toString());

    Map<String, Object> health =
        run.events.stream()
            .filter(e -> "AGENT_HEALTH".equals(e.get("kind")))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no heartbeat: " + run));
    assertTrue(((Number) health.get("requestFieldsCapped")).longValue() >= 2, health.toString());
    assertTrue(((Number) health.get("requestForwardedCapped")).longValue() >= 1, health.toString());
    assertTrue(
        ((Number) health.get("requestTraceparentDropped")).longValue() >= 1, health.toString());
    assertTrue(
        String.valueOf(health.get("hooksApplied")).contains("request.jdk-httpserver"),
        health.toString());
  }

  private static List<String> statuses(String output) {
    return output.lines().filter(l -> l.startsWith("status ")).collect(Collectors.toList());
  }

  private static String withoutAgent(Path java, Path work) throws Exception {
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                AgentRun.testAppJar().toString(),
                APP,
                work.resolve("files").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS), out);
    assertTrue(out.contains("REQUESTAPP DONE"), out);
    return out;
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> request(AgentRun run, Path files, String name) {
    Map<String, Object> e = read(run, files, name);
    Object r = e.get("request");
    assertTrue(r instanceof Map, name + " carries its request: " + e);
    return (Map<String, Object>) r;
  }
}
