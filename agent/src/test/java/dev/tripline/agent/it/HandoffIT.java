package dev.tripline.agent.it;

import static dev.tripline.agent.it.AgentRun.callSite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * I/O handed to pool and worker threads keeps the task's code as its call site, with the hand-off
 * named.
 */
class HandoffIT {
  private static final String APP = "dev.tripline.testapp.HandoffApp";

  @OnEveryJdk
  void eachHandedOffReadNamesTheTaskAndHowItGotThere(Path java, @TempDir Path work)
      throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(
                java,
                work,
                APP,
                // with one core's worth of parallelism CompletableFuture skips the common pool (a
                // thread per task)
                List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2"),
                files.toString())
            .assertFinished("HANDOFFAPP DONE");

    expect(run, files.resolve("executor.txt"), "lambda$runOnExecutor$", "executor");
    expect(run, files.resolve("async.txt"), "lambda$runAsync$", "fork-join");
    expect(run, files.resolve("thread.txt"), "lambda$runOnThread$", "");
    Matcher version = Pattern.compile("java (\\d+), virtual thread: (\\w+)").matcher(run.output);
    assertTrue(version.find(), run.output);
    assertEquals(
        Integer.parseInt(version.group(1)) >= 21,
        Boolean.parseBoolean(version.group(2)),
        run.output);
    if (Boolean.parseBoolean(version.group(2))) {
      expect(run, files.resolve("virtual.txt"), "lambda$runOnVirtualThread$", "virtual-thread");
    }
    Matcher http = Pattern.compile("http port (\\d+)").matcher(run.output);
    assertTrue(http.find(), run.output);
    int port = Integer.parseInt(http.group(1));
    List<Map<String, Object>> connects =
        run.ofKind("NET_CONNECT").stream()
            .filter(e -> String.valueOf(port).equals(String.valueOf(e.get("port"))))
            .collect(Collectors.toList());
    assertEquals(1, connects.size(), "one connect to the local server: " + run);
    Map<String, Object> connect = connects.get(0);
    assertTrue(
        String.valueOf(connect.get("thread")).startsWith("HttpClient-"),
        "made on the client's worker: " + connect);
    Map<String, Object> site = callSite(connect);
    assertEquals(APP, site.get("className"), "the code that called sendAsync: " + connect);
    assertEquals("sendAsync", site.get("methodName"), connect.toString());
    assertEquals("http-client", site.get("handoff"), connect.toString());
    List<Map<String, Object>> fromTheApp =
        run.events.stream()
            .filter(e -> String.valueOf(e.get("path")).startsWith(files.toString()))
            .collect(Collectors.toList());
    assertFalse(fromTheApp.isEmpty(), run.toString());
    for (Map<String, Object> e : fromTheApp) {
      assertFalse(
          String.valueOf(callSite(e).get("className")).isEmpty(), "no empty call site: " + e);
    }
  }

  private static void expect(AgentRun run, Path file, String lambdaPrefix, String handoff) {
    List<Map<String, Object>> reads =
        run.ofKind("FILE_READ").stream()
            .filter(e -> file.toString().equals(e.get("path")))
            .collect(Collectors.toList());
    assertEquals(1, reads.size(), file + ":\n" + run);
    Map<String, Object> site = callSite(reads.get(0));
    assertEquals(APP, site.get("className"), "the task's own code: " + site);
    assertTrue(
        String.valueOf(site.get("methodName")).startsWith(lambdaPrefix),
        "the lambda's body: " + site);
    assertEquals("testapp.jar", site.get("jarName"), site.toString());
    assertEquals(
        handoff,
        site.getOrDefault("handoff", ""),
        "hand-off of " + file.getFileName() + ": " + site);
    assertFalse(site.containsKey("archive"), "a plain jar has no archive: " + site);
  }
}
