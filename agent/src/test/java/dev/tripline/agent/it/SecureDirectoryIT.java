package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code SecureDirectoryStream} acts at its directory's descriptor with relative names ({@code
 * dev.tripline.testapp.SecureDirApp}): its listing of a subdirectory, its reads, writes, deletes
 * and moves are reported with their full paths (the directory the kernel holds, then the name), at
 * the application's call site; a plain relative path still means the working directory.
 */
class SecureDirectoryIT {
  private static final String APP = "dev.tripline.testapp.SecureDirApp";

  @OnEveryJdk
  void whatASecureDirectoryStreamDoesIsReportedWithFullPaths(Path java, @TempDir Path work)
      throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString())
            .assertFinished("SECUREDIR DONE");
    Path home = files.resolve("home").toRealPath();

    // the first stream: the provider's listing, as before; its children: listings of their own
    Map<String, Object> top = one(run, "FILE_READ", path(home));
    assertEquals(Boolean.TRUE, top.get("directory"), top.toString());
    Map<String, Object> ssh = one(run, "FILE_READ", path(home.resolve(".ssh")));
    assertEquals(Boolean.TRUE, ssh.get("directory"), ssh.toString());
    assertSite(ssh, "main");
    Map<String, Object> aws = one(run, "FILE_READ", path(home.resolve(".aws")));
    assertEquals(Boolean.TRUE, aws.get("directory"), aws.toString());

    // openat at a descriptor: the credentials read, a write
    Map<String, Object> read = one(run, "FILE_READ", path(home.resolve(".aws/credentials")));
    assertEquals(null, read.get("directory"), read.toString());
    assertEquals(Boolean.TRUE, read.get("success"), read.toString());
    assertSite(read, "main");
    assertSite(one(run, "FILE_WRITE", path(home.resolve("written.txt"))), "main");

    // unlinkat and renameat: a file and a directory deleted, a file moved into another stream's
    assertSite(one(run, "FILE_DELETE", path(home.resolve("doomed.txt"))), "main");
    one(run, "FILE_DELETE", path(home.resolve("emptied")));
    Map<String, Object> move = one(run, "FILE_RENAME", path(home.resolve("from.txt")));
    assertEquals(home.resolve(".aws/moved.txt").toString(), move.get("newPath"), move.toString());
    assertSite(move, "main");

    // no relative name reported bare
    assertEquals(
        List.of(),
        run.events.stream()
            .filter(e -> e.get("path") instanceof String)
            .filter(e -> !((String) e.get("path")).startsWith("/"))
            .collect(Collectors.toList()),
        "every path is absolute");
  }

  /** The file the kernel touched: its real path when the agent resolved one, else its path. */
  private static Predicate<Map<String, Object>> path(Path p) {
    return e -> p.toString().equals(e.get("realPath") != null ? e.get("realPath") : e.get("path"));
  }

  private static Map<String, Object> one(
      AgentRun run, String kind, Predicate<Map<String, Object>> which) {
    List<Map<String, Object>> found =
        run.ofKind(kind).stream().filter(which).collect(Collectors.toList());
    assertEquals(1, found.size(), kind + " once:\n" + run);
    return found.get(0);
  }

  private static void assertSite(Map<String, Object> event, String method) {
    Map<String, Object> site = AgentRun.callSite(event);
    assertEquals(APP, site.get("className"), event.toString());
    assertEquals(method, site.get("methodName"), event.toString());
  }
}
