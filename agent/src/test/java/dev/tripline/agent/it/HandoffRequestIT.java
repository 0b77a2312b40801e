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
 * A request's context crosses the JDK's hand-offs (docs/detection.md "Request context"): a file
 * read by an executor's task ({@code submit}, {@code execute}), a fork-join task, {@code
 * CompletableFuture.runAsync} (the default pool and a given one), a virtual thread (JDK 21+) and a
 * task handed over by a task carries the request that handed it over; a platform thread the request
 * starts does not. The same pooled threads' later tasks, outside any request, carry none.
 */
class HandoffRequestIT {
  private static final String APP = "dev.tripline.testapp.HandoffRequestApp";

  @OnEveryJdk
  void workHandedOverCarriesItsRequestAndTheNextTaskNone(Path java, @TempDir Path work)
      throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString(), "agent")
            .assertFinished("HANDOFFAPP DONE");
    boolean virtualThreads = !run.output.contains("no virtual threads");
    assertEquals(
        !java.toString().contains("java-17"), virtualThreads, "JDK 21+ has them: " + run.output);
    for (String name :
        List.of(
            "submit",
            "execute",
            "scheduled",
            "forkjoin",
            "async",
            "asyncpool",
            "virtual",
            "chain")) {
      assertTrue(run.output.contains("status " + name + ": HTTP/1.1 200"), name + ": " + run);
      if (name.equals("virtual") && !virtualThreads) {
        continue;
      }
      Map<String, Object> e = read(run, files, name);
      assertTrue(
          !String.valueOf(e.get("thread")).equals("request-pool"),
          name + " ran on another thread: " + e);
      Object r = e.get("request");
      assertTrue(r instanceof Map, name + " carries its request: " + e);
      Map<?, ?> request = (Map<?, ?>) r;
      assertEquals("/" + name, request.get("path"), request.toString());
      assertEquals("GET", request.get("method"), request.toString());
      assertEquals(List.of("203.0.113.7"), request.get("forwardedFor"), request.toString());
      assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", request.get("traceId"), request.toString());
    }
    if (virtualThreads) {
      Map<String, Object> virtual = read(run, files, "virtual");
      assertEquals(true, virtual.get("virtualThread"), "read on a virtual thread: " + virtual);
    }
    Map<String, Object> thread = read(run, files, "thread");
    assertEquals("started-thread", thread.get("thread"), thread.toString());
    assertNull(thread.get("request"), "a platform thread started by a request: " + thread);

    // the same pooled threads, later, outside any request
    assertEquals(
        read(run, files, "submit").get("thread"), read(run, files, "after-submit").get("thread"));
    assertEquals(
        read(run, files, "forkjoin").get("thread"),
        read(run, files, "after-forkjoin").get("thread"));
    for (String name :
        List.of(
            "after-submit",
            "after-scheduled",
            "after-forkjoin",
            "after-asyncpool",
            "after-chain")) {
      Map<String, Object> e = read(run, files, name);
      assertNull(e.get("request"), name + " carries no earlier request: " + e);
    }

    Map<String, Object> health =
        run.events.stream()
            .filter(e -> "AGENT_HEALTH".equals(e.get("kind")))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no heartbeat: " + run));
    String applied = String.valueOf(health.get("hooksApplied"));
    for (String hook :
        List.of(
            "handoff.executor-submit",
            "handoff.executor-before",
            "handoff.executor-after",
            "handoff.scheduled-submit",
            "handoff.fork-join-submit",
            "handoff.fork-join-run",
            "handoff.async-run")) {
      assertTrue(applied.contains(hook), hook + ": " + health);
    }
    if (virtualThreads) {
      assertTrue(applied.contains("handoff.virtual-run"), health.toString());
    }
    assertTrue(
        !String.valueOf(health.get("hooksMissing")).contains("handoff."),
        "no hand-off hook missing: " + health);
    // scopes are counted apart from events: 9 requests, an entry and an exit each at least
    assertTrue(((Number) health.get("requestReports")).longValue() >= 18, health.toString());
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
