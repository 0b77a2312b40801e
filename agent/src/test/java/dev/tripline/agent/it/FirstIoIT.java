package dev.tripline.agent.it;

import static dev.tripline.agent.it.AgentRun.callSite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first-I/O rule: what {@code main} does on its first lines is reported, though the agent's
 * recorder starts after.
 */
class FirstIoIT {
  @OnEveryJdk
  void aReadAndAConnectOnTheFirstLinesOfMainAreReported(Path java, @TempDir Path work)
      throws Exception {
    Path file = Files.writeString(work.resolve("first.txt"), "first");
    AgentRun run =
        AgentRun.testApp(
                java,
                work,
                "dev.tripline.testapp.FirstIoApp",
                List.of("-Dtripline.debug=true"),
                file.toString())
            .assertFinished("FIRSTIO DONE ");
    Matcher done = Pattern.compile("FIRSTIO DONE (\\d+)").matcher(run.output);
    assertTrue(done.find(), run.toString());
    assertTrue(
        run.output.contains("[tripline] startup ms: "), "start-up phases printed:\n" + run.output);

    List<Map<String, Object>> reads =
        run.ofKind("FILE_READ").stream()
            .filter(e -> file.toString().equals(e.get("path")))
            .collect(Collectors.toList());
    assertEquals(1, reads.size(), run.toString());
    assertEquals("main", callSite(reads.get(0)).get("methodName"), reads.toString());
    assertEquals("main", String.valueOf(reads.get(0).get("thread")), reads.toString());

    List<Map<String, Object>> connects =
        run.ofKind("NET_CONNECT").stream()
            .filter(e -> done.group(1).equals(String.valueOf(e.get("port"))))
            .collect(Collectors.toList());
    assertEquals(1, connects.size(), run.toString());
    assertEquals(
        "dev.tripline.testapp.FirstIoApp",
        callSite(connects.get(0)).get("className"),
        connects.toString());
  }
}
