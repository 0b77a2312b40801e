package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTargetsTest {
  private final FileTargets targets = new FileTargets("/srv/app");

  @Test
  void pathsAreAbsoluteAndLexicallyNormalised() {
    assertEquals("/etc/passwd", targets.normalise("/srv/app/data/../../../etc/passwd"));
    assertEquals(
        "/etc/passwd",
        targets.normalise("/../../../../etc/passwd"),
        "above the root stays at the root");
    assertEquals("/etc/shadow", targets.normalise("/etc/./shadow"));
    assertEquals("/etc/shadow", targets.normalise("//etc///shadow/"));
    assertEquals(
        "/srv/app/conf/a.yml",
        targets.normalise("conf/a.yml"),
        "relative to the working directory");
    assertEquals("/srv/etc/passwd", targets.normalise("data/../../etc/passwd"));
    assertEquals("/", targets.normalise("/.."));
    assertEquals("/srv/app", targets.normalise("."));
    assertEquals("/a/..b/c..", targets.normalise("/a/..b/c.."), "dots inside a name are a name");
  }

  @Test
  void theRealPathFollowsLinksLikeTheKernel(@TempDir Path dir) throws Exception {
    Path real = dir.toRealPath();
    Files.createDirectories(real.resolve("target/sub"));
    Files.writeString(real.resolve("target/file.txt"), "x");
    Files.createSymbolicLink(real.resolve("link"), real.resolve("target/sub"));
    Files.createSymbolicLink(real.resolve("file-link"), real.resolve("target/file.txt"));

    assertEquals(
        real.resolve("target/file.txt").toString(), targets.real(real + "/file-link", true));
    assertEquals(
        real.resolve("file-link").toString(),
        targets.real(real + "/file-link", false),
        "delete and rename act on the link itself");
    // ".." after a link goes to the link target's parent (the lexical form would say
    // <dir>/file.txt)
    assertEquals(
        real.resolve("target/file.txt").toString(), targets.real(real + "/link/../file.txt", true));
    assertEquals(
        real.resolve("target/sub/new.txt").toString(),
        targets.real(real + "/link/new.txt", true),
        "a file that does not exist yet: its directory is resolved");
    assertNull(targets.real(real + "/missing/dir/x", true));
    assertNull(targets.real("/etc/\u0000passwd", true), "not a path: no exception");
  }
}
