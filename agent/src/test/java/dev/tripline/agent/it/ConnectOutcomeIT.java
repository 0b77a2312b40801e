package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Issue 21 (3d): connects are folded by host name as well as address (a new name on a known IP
 * arrives), and a refused connect is reported as an error, whether through a Socket with a timeout
 * or a blocking or non-blocking SocketChannel.
 */
class ConnectOutcomeIT {
  private static final String ALPHA = "alpha.tripline.test";
  private static final String BETA = "beta.tripline.test";

  @OnEveryJdk
  void twoNamesOnOneAddressBothArriveAndRefusalsAreErrors(Path java, @TempDir Path work)
      throws Exception {
    Path hosts = Files.writeString(work.resolve("hosts"), "127.0.0.1 " + ALPHA + " " + BETA + "\n");
    AgentRun run =
        AgentRun.testApp(
                java,
                work,
                "dev.tripline.testapp.ConnectApp",
                List.of("-Djdk.net.hosts.file=" + hosts),
                ALPHA,
                BETA)
            .assertFinished("CONNECTS DONE ");
    Matcher done = Pattern.compile("CONNECTS DONE (\\d+) (\\d+) (\\d+)").matcher(run.output);
    assertTrue(done.find(), run::toString);
    List<Map<String, Object>> shared = connects(run, done.group(1));
    for (String name : List.of(ALPHA, BETA)) {
      List<Map<String, Object>> byName =
          shared.stream().filter(e -> name.equals(e.get("host"))).collect(Collectors.toList());
      assertFalse(byName.isEmpty(), name + " never arrived: " + shared);
      assertEquals(3, count(byName), name + ": three connects, each counted once: " + byName);
      assertTrue(
          byName.stream().allMatch(e -> Boolean.TRUE.equals(e.get("success"))), byName::toString);
    }

    List<Map<String, Object>> refused = connects(run, done.group(2));
    assertEquals(3, count(refused), "a Socket, a non-blocking and a blocking channel: " + refused);
    for (Map<String, Object> e : refused) {
      assertEquals(Boolean.FALSE, e.get("success"), refused::toString);
      assertTrue(String.valueOf(e.get("error")).contains("ConnectException"), refused::toString);
    }

    List<Map<String, Object>> nonBlocking = connects(run, done.group(3));
    assertEquals(1, count(nonBlocking), nonBlocking::toString);
    assertEquals(Boolean.TRUE, nonBlocking.get(0).get("success"), nonBlocking::toString);
  }

  private static List<Map<String, Object>> connects(AgentRun run, String port) {
    return run.ofKind("NET_CONNECT").stream()
        .filter(e -> port.equals(String.valueOf(e.get("port"))))
        .collect(Collectors.toList());
  }

  private static long count(List<Map<String, Object>> events) {
    return events.stream().mapToLong(e -> ((Number) e.get("count")).longValue()).sum();
  }
}
