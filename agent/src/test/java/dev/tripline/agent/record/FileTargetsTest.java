package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertEquals("/a/.hidden/b", targets.normalise("/a/.hidden/b"));
    assertEquals("/a/b.c/d", targets.normalise("/a/b.c/d"), "nothing to fold: as given");
    assertEquals("/a/b", targets.normalise("/a/b/"));
    assertEquals("/", targets.normalise("/"));
    assertEquals("/srv/app/x", targets.normalise("x/."), "relative, then folded");
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

  @Test
  void aDirectoryLinkSwappedAfterItsFirstResolutionIsResolvedAnew(@TempDir Path dir)
      throws Exception {
    Path real = dir.toRealPath();
    Files.createDirectories(real.resolve("harmless"));
    Files.createDirectories(real.resolve("secret"));
    Files.writeString(real.resolve("harmless/a.txt"), "a");
    Files.writeString(real.resolve("secret/b.txt"), "b");
    Files.writeString(real.resolve("secret/c.txt"), "c");
    Path link = real.resolve("data");
    Files.createSymbolicLink(link, real.resolve("harmless"));
    assertEquals(real + "/harmless/a.txt", targets.real(link + "/a.txt", true));

    // the same directory string now reaches another directory: the cached real path is not used
    Files.delete(link);
    Files.createSymbolicLink(link, real.resolve("secret"));
    assertEquals(real + "/secret/b.txt", targets.real(link + "/b.txt", true));
    assertEquals(real + "/secret/c.txt", targets.real(link + "/c.txt", false), "delete, rename");

    // a link swapped for a real directory of that name
    Files.delete(link);
    Files.createDirectories(link);
    Files.writeString(link.resolve("d.txt"), "d");
    assertEquals(link + "/d.txt", targets.real(link + "/d.txt", true));

    // a directory removed and made again (another inode) above a link
    Path parent = real.resolve("p");
    Files.createDirectories(parent);
    Files.createSymbolicLink(parent.resolve("q"), real.resolve("harmless"));
    assertEquals(real + "/harmless/a.txt", targets.real(parent + "/q/a.txt", true));
    Files.delete(parent.resolve("q"));
    Files.delete(parent);
    Files.createDirectories(parent);
    Files.createSymbolicLink(parent.resolve("q"), real.resolve("secret"));
    assertEquals(real + "/secret/b.txt", targets.real(parent + "/q/b.txt", true));
  }

  @Test
  void oneLookGivesTheRealPathAndWhatTheFileIs(@TempDir Path dir) throws Exception {
    Path real = dir.toRealPath();
    Files.createDirectories(real.resolve("d"));
    Path file = Files.writeString(real.resolve("d/file.txt"), "x");
    Path hard = Files.createLink(real.resolve("d/hard.txt"), file);
    Path soft = Files.createSymbolicLink(real.resolve("d/soft.txt"), file);
    SameFiles.Inode identity = SameFiles.of(file.toString());

    FileTargets.Sight plain = targets.look(file.toString(), true, true);
    assertEquals(file.toString(), plain.real);
    assertEquals(file.toString(), plain.kernelPath);
    assertTrue(identity.sameFile(plain.opened));
    assertEquals(2, plain.opened.links, "a hard link is counted");

    FileTargets.Sight viaHard = targets.look(hard.toString(), true, true);
    assertEquals(hard.toString(), viaHard.real, "a hard link has its own name");
    assertTrue(identity.sameFile(viaHard.opened), "and is the same file");

    FileTargets.Sight viaSoft = targets.look(soft.toString(), true, true);
    assertEquals(file.toString(), viaSoft.real, "a symlink in the last element is followed");
    assertTrue(identity.sameFile(viaSoft.opened), "and so is its identity");
    assertEquals(soft.toString(), targets.look(soft.toString(), false, false).real);

    FileTargets.Sight missing = targets.look(real + "/d/missing.txt", true, true);
    assertEquals(real + "/d/missing.txt", missing.real, "a failed open: its directory resolved");
    assertNull(missing.opened);
    assertNull(targets.look(real + "/d/file.txt", true, false).opened, "identity not asked");
    assertEquals(real + "/d", targets.look(real + "/d/.", true, true).real);
    assertEquals(real.toString(), targets.look(real + "/d/..", true, true).real);
  }

  @Test
  void aFileMadeNewIsNamedByItsDirectorysRealPathWithoutALookAtIt(@TempDir Path dir)
      throws Exception {
    Path real = dir.toRealPath();
    Files.createDirectories(real.resolve("d"));
    Path link = Files.createSymbolicLink(real.resolve("link"), real.resolve("d"));
    Path made = Files.createFile(link.resolve("made.tmp"));

    FileTargets.Sight sight = targets.created(made.toString());
    assertEquals(real + "/d/made.tmp", sight.real);
    assertEquals(targets.look(made.toString(), true, true).real, sight.real, "as a full look");
    assertNull(sight.opened, "no identity: the file itself is not looked at");

    Files.delete(link);
    Files.createDirectories(real.resolve("e"));
    Files.createSymbolicLink(link, real.resolve("e"));
    assertEquals(
        real + "/e/next.tmp",
        targets.created(link + "/next.tmp").real,
        "the directory link swapped: the cached real path is not used");
    assertEquals(
        real + "/e/.dot",
        targets.created(link + "/.dot").real,
        "a name the split leaves to the Path route");
  }

  @Test
  void onlyPlainAsciiPathsAreSplitAsStrings() {
    assertEquals(4, FileTargets.plainSlash("/tmp/t1.tmp"));
    assertEquals(0, FileTargets.plainSlash("/t1.tmp"), "in the root: not > 0, the Path route");
    assertEquals(-1, FileTargets.plainSlash("/tmp/../etc/passwd"));
    assertEquals(-1, FileTargets.plainSlash("/tmp//t"));
    assertEquals(-1, FileTargets.plainSlash("/tmp/t/"));
    assertEquals(-1, FileTargets.plainSlash("/tmp/\u00e9t\u00e9"), "not ASCII");
    assertEquals(-1, FileTargets.plainSlash("/tmp/a\u0000b"), "a NUL");
    assertEquals(-1, FileTargets.plainSlash("/tmp/a\nb"), "a control character");
  }
}
