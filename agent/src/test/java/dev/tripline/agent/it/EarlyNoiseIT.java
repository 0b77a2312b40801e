package dev.tripline.agent.it;

import static dev.tripline.agent.it.AgentRun.callSite;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 (3c): noise in a static initializer before {@code main} (9 000 failed opens, 3 000
 * repeated reads) must not push a credential read out of the agent's start-up buffer.
 */
class EarlyNoiseIT {
  @OnEveryJdk
  void aCredentialReadAfterStartUpNoiseIsReported(Path java, @TempDir Path work) throws Exception {
    Path noise = Files.writeString(work.resolve("app.properties"), "a=b");
    Path secret = Files.createDirectories(work.resolve(".aws")).resolve("credentials");
    Files.writeString(secret, "[default]");
    AgentRun run =
        AgentRun.testApp(
                java,
                work,
                "dev.tripline.testapp.EarlyNoiseApp",
                List.of(
                    "-Dnoise.dir=" + work,
                    "-Dnoise.file=" + noise,
                    "-Dsecret.file=" + secret,
                    "-Dtripline.debug=true"))
            .assertFinished("EARLY DONE 9000");
    List<Map<String, Object>> reads =
        run.ofKind("FILE_READ").stream()
            .filter(e -> secret.toString().equals(e.get("path")))
            .collect(Collectors.toList());
    assertEquals(1, reads.size(), () -> summary(run));
    assertEquals("<clinit>", callSite(reads.get(0)).get("methodName"), reads.toString());
    long repeats =
        run.ofKind("FILE_READ").stream()
            .filter(e -> noise.toString().equals(e.get("path")))
            .mapToLong(e -> ((Number) e.get("count")).longValue())
            .sum();
    assertEquals(3_000, repeats, "every repeat counted, none lost: " + summary(run));
  }

  private static String summary(AgentRun run) {
    return "exit/output: "
        + run.output
        + "\nFILE_READ events: "
        + run.ofKind("FILE_READ").size()
        + "; last: "
        + run.ofKind("FILE_READ").stream()
            .skip(Math.max(0, run.ofKind("FILE_READ").size() - 3))
            .map(Object::toString)
            .collect(Collectors.joining("\n"));
  }
}
