package dev.tripline.agent.it;

import static dev.tripline.agent.it.AgentRun.callSite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the hooks used to miss ({@code dev.tripline.testapp.HooksMissApp}): the real path of a File
 * subclass that lies, I/O done by the application's own callbacks inside a hooked call, the files a
 * spawn redirects from and to, and directory listings.
 */
class HooksMissIT {
  private static final String APP = "dev.tripline.testapp.HooksMissApp";

  @OnEveryJdk
  void theHooksSeeWhatTheJdkReallyDoes(Path java, @TempDir Path work) throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString())
            .assertFinished("HOOKSMISS DONE");
    String decoy = files.resolve("decoy.txt").toString();

    // 1. a File subclass lying in getPath()/toString(): the path the JDK used, never the lie
    Map<String, Object> delete = one(run, "FILE_DELETE", path(files, "real-delete.txt"));
    assertSite(delete, "lyingFiles");
    Map<String, Object> rename = one(run, "FILE_RENAME", path(files, "real-from.txt"));
    assertEquals(files.resolve("real-to.txt").toString(), rename.get("newPath"), rename.toString());
    Map<String, Object> listed = one(run, "FILE_READ", path(files, "real-listed"));
    assertEquals(Boolean.TRUE, listed.get("directory"), listed.toString());
    assertEquals(
        List.of(),
        run.events.stream()
            .filter(e -> !"FILE_READ".equals(e.get("kind")))
            .filter(e -> decoy.equals(e.get("path")) || decoy.equals(e.get("newPath")))
            .collect(Collectors.toList()),
        "the decoy is never reported as deleted, renamed or listed");
    // JDK 25 calls the overridable getPath() inside delete: the application's exception there
    // reaches it unchanged, and the delete it broke is still reported, as failed; JDK 17 never
    // calls it, and deletes
    Map<String, Object> throwing = one(run, "FILE_DELETE", path(files, "throwing-delete.txt"));
    if (run.output.contains("throwing delete threw: getPath refused")) {
      assertEquals(Boolean.FALSE, throwing.get("success"), throwing.toString());
      assertTrue(
          String.valueOf(throwing.get("error")).contains("IllegalStateException"),
          throwing.toString());
    } else {
      assertTrue(run.output.contains("throwing delete: true"), run.output);
      assertEquals(Boolean.TRUE, throwing.get("success"), throwing.toString());
    }

    // 2. the options Set's iterator reads, connects and spawns inside the open: each reported,
    // with the iterator as call site; its contains() throwing loses nothing
    assertSite(one(run, "FILE_READ", path(files, "from-iterator.txt")), "iterator");
    Map<String, Object> echo =
        one(run, "PROCESS_SPAWN", e -> List.of("/bin/echo", "from-iterator").equals(e.get("argv")));
    assertSite(echo, "iterator");
    int port = port(run);
    Map<String, Object> connect =
        one(run, "NET_CONNECT", e -> Long.valueOf(port).equals(e.get("port")));
    assertSite(connect, "iterator");
    Map<String, Object> write = one(run, "FILE_WRITE", path(files, "sneaky-write.txt"));
    assertEquals(Boolean.TRUE, write.get("success"), write.toString());
    assertSite(write, "sneakyOptions");
    assertSite(one(run, "FILE_READ", path(files, "sneaky-read.txt")), "sneakyOptions");

    // 3. a spawn's redirect files: the JVM's own read and writes, at the spawn's call site
    Map<String, Object> cat =
        one(run, "PROCESS_SPAWN", e -> List.of("/bin/cat").equals(e.get("argv")));
    assertSite(cat, "redirects");
    assertSite(one(run, "FILE_READ", path(files, "redirect-in.txt")), "redirects");
    assertSite(one(run, "FILE_WRITE", path(files, "redirect-out.txt")), "redirects");
    assertSite(one(run, "FILE_WRITE", path(files, "redirect-err.txt")), "redirects");

    // 4. listings, java.io and NIO: a FILE_READ of the directory, marked, each seen once
    for (String dir :
        List.of(
            "io-listed", "io-listfiles", "nio-listed", "nio-stream", "walked", "walked/inner")) {
      Map<String, Object> e = one(run, "FILE_READ", path(files, dir));
      assertEquals(Boolean.TRUE, e.get("directory"), e.toString());
      assertEquals("dev.tripline.testapp.HooksMissApp", callSite(e).get("className"), e.toString());
    }
  }

  private static Predicate<Map<String, Object>> path(Path files, String name) {
    String p = files.resolve(name).toString();
    return e -> p.equals(e.get("path"));
  }

  private static int port(AgentRun run) {
    int at = run.output.indexOf("server port ");
    return Integer.parseInt(run.output.substring(at + 12).split("\\s", 2)[0]);
  }

  private static Map<String, Object> one(
      AgentRun run, String kind, Predicate<Map<String, Object>> which) {
    List<Map<String, Object>> found =
        run.ofKind(kind).stream()
            .filter(which)
            .filter(e -> !Boolean.FALSE.equals(e.get("firstOccurrence"))) // not a repeat's flush
            .collect(Collectors.toList());
    assertEquals(1, found.size(), kind + " expected once: " + found + "\n" + run);
    return found.get(0);
  }

  private static void assertSite(Map<String, Object> event, String method) {
    assertTrue(callSite(event).get("className").toString().startsWith(APP), event.toString());
    assertEquals(method, callSite(event).get("methodName"), event.toString());
  }
}
