package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file opened during the agent's start-up is named by what its path reached when it was opened,
 * not when the start-up buffer is replayed: a directory link swapped back in between (a
 * dependency's static initializer opens through a link, then restores it) must not file the read,
 * the delete or the file made under the other directory. Before {@code EarlyBuffer.lookAtOnce} all
 * three were reported in {@code b}.
 */
class StartupSwapIT {
  @OnEveryJdk
  void aPathOpenedDuringStartUpIsNamedByWhatItReachedThen(Path java, @TempDir Path work)
      throws Exception {
    Path a = Files.createDirectories(work.resolve("a"));
    Path b = Files.createDirectories(work.resolve("b"));
    Files.writeString(a.resolve("f.txt"), "in a");
    Files.writeString(b.resolve("f.txt"), "in b");
    Files.writeString(a.resolve("g.txt"), "to delete");
    Path link = work.resolve("link");
    AgentRun run =
        AgentRun.testApp(
                java,
                work,
                "dev.tripline.testapp.StartupSwapApp",
                List.of(),
                link.toString(),
                a.toString(),
                b.toString())
            .assertFinished("SWAP DONE");
    String inA = a.toRealPath().toString();
    for (String[] expected :
        List.of(
            new String[] {"FILE_READ", "f.txt"},
            new String[] {"FILE_DELETE", "g.txt"},
            new String[] {"FILE_WRITE", "h.txt"})) {
      List<Map<String, Object>> events =
          run.ofKind(expected[0]).stream()
              .filter(e -> String.valueOf(e.get("path")).equals(link + "/" + expected[1]))
              .collect(Collectors.toList());
      assertEquals(1, events.size(), expected[0] + " " + expected[1] + ":\n" + run);
      assertEquals(
          inA + "/" + expected[1],
          events.get(0).get("realPath"),
          expected[0] + ": named by the directory the link reached then\n" + events);
    }
  }
}
