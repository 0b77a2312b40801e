package dev.tripline.model.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every path trick an attacker controls, judged on what the kernel touches. */
class NormalizerTest {

  private static Event read(FileTarget.Builder f) {
    return Event.newBuilder().setKind(EventKind.FILE_READ).setFile(f).build();
  }

  @Test
  void traversalUnderTmpIsTheFileItReaches() {
    assertEquals(
        "FILE_READ|/etc/passwd",
        Normalizer.key(read(FileTarget.newBuilder().setPath("/tmp/app/data/../../../etc/passwd"))));
    assertEquals(
        "/etc/passwd",
        Normalizer.fold("/tmp/app/data/../../../../../../../etc/passwd"),
        "never above the root");
    assertEquals("/etc/passwd", Normalizer.fold("/../etc/passwd"));
  }

  @Test
  void dotAndDoubleSlashFold() {
    assertEquals("/etc/shadow", Normalizer.path("/etc/./shadow"));
    assertEquals("/etc/shadow", Normalizer.path("//etc//shadow"));
    assertEquals("/etc/shadow", Normalizer.path("/etc/shadow/."));
    assertEquals("/etc/shadow", Normalizer.path("/etc/ssl/../shadow/"));
    assertEquals("/etc/app/app.conf", Normalizer.fold("/etc/app/app.conf"), "already canonical");
  }

  @Test
  void relativePathsFromOldAgentsFoldWithoutInventingADirectory() {
    assertEquals("../etc/passwd", Normalizer.fold("data/../../etc/passwd"));
    assertEquals("conf/app.yml", Normalizer.fold("./conf//app.yml"));
    assertEquals(".", Normalizer.fold("a/.."));
  }

  @Test
  void realPathJudgesWhenTheAgentResolvedALink() {
    Event viaLink =
        read(
            FileTarget.newBuilder()
                .setPath("/srv/app/data/innocent.txt")
                .setRealPath("/etc/hostname")
                .setRequestedPath("data/innocent.txt"));
    assertEquals("FILE_READ|/etc/hostname", Normalizer.key(viaLink));
    Event forgedReal =
        read(FileTarget.newBuilder().setPath("/srv/x").setRealPath("/srv/a/../../etc/shadow"));
    assertEquals(
        "FILE_READ|/etc/shadow", Normalizer.key(forgedReal), "the real path is folded too");
    Event rename =
        Event.newBuilder()
            .setKind(EventKind.FILE_RENAME)
            .setFile(
                FileTarget.newBuilder()
                    .setPath("/srv/a")
                    .setNewPath("/srv/link/b")
                    .setNewRealPath("/root/.ssh/authorized_keys"))
            .build();
    assertEquals("FILE_WRITE|/root/.ssh/authorized_keys", Normalizer.key(rename));
  }

  @Test
  void tempLikeNamesCollapseNotTheWholeTempTree() {
    assertEquals("/tmp/upload-*.tmp", Normalizer.path("/tmp/upload-8f3a9c1e.tmp"));
    assertEquals(
        "/tmp/upload-*.tmp",
        Normalizer.path("/tmp/upload-77ab01c3.tmp"),
        "two uploads are one behaviour");
    assertEquals("/tmp/*/x", Normalizer.path("/tmp/12345/x"));
    assertEquals("/tmp/tmp.*", Normalizer.path("/tmp/tmp.XyZ123"));
    assertEquals("/tmp/tmp.*", Normalizer.path("/tmp/tmp.AbCdEfGhIj"));
    assertEquals(
        "/tmp/*.tmp",
        Normalizer.path("/tmp/upload5563012399182736451.tmp"),
        "File.createTempFile names");
    assertEquals("/var/tmp/hsperfdata_app/*", Normalizer.path("/var/tmp/hsperfdata_app/4711"));
    assertEquals("/dev/shm/*", Normalizer.path("/dev/shm/a1b2c3"));
    assertEquals(
        "/tmp/app/config.yml",
        Normalizer.path("/tmp/app/config.yml"),
        "a normal file in /tmp is itself");
    assertEquals("/tmp/app2/config.yml", Normalizer.path("/tmp/app2/config.yml"));
  }

  @Test
  void existingChurnRulesStillHold() {
    assertEquals("/var/log/app/app-#-#-#.log", Normalizer.path("/var/log/app/app-2026-11-25.log"));
    assertEquals("/proc/*/status", Normalizer.path("/proc/4711/status"));
    assertEquals(
        "/srv/cache/*/item",
        Normalizer.path("/srv/cache/123e4567-e89b-12d3-a456-426614174000/item"));
  }

  @Test
  void unixSocketsAreTargetsOfTheirOwn() {
    Event docker =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setNetwork(
                NetworkTarget.newBuilder()
                    .setProtocol("unix")
                    .setPath("/var/run/../run/docker.sock"))
            .build();
    assertEquals("NET_CONNECT|unix:/var/run/docker.sock", Normalizer.key(docker));
    Event bind =
        Event.newBuilder()
            .setKind(EventKind.NET_LISTEN)
            .setNetwork(
                NetworkTarget.newBuilder().setProtocol("unix").setPath("/tmp/app-4711.sock"))
            .build();
    assertEquals("NET_LISTEN|unix:/tmp/app-*.sock", Normalizer.key(bind));
    Event tcp =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setNetwork(NetworkTarget.newBuilder().setProtocol("tcp").setHost("db").setPort(5432))
            .build();
    assertEquals("NET_CONNECT|db:5432", Normalizer.key(tcp));
  }

  @Test
  void hostileNamesCostLinearTime() {
    // Forged events are not capped by an agent: a megabyte name must not make a regex backtrack for
    // minutes.
    String letters = "a".repeat(1_000_000);
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          assertEquals("/tmp/*", Normalizer.path("/tmp/" + letters + "1x1"));
          assertEquals(
              "/tmp/*.txt",
              Normalizer.path("/tmp/" + letters + "1.txt"),
              "one digit: not temp-like, but long hex");
          assertEquals("/srv/#g", Normalizer.path("/srv/" + "1".repeat(1_000_000) + "g"));
          assertEquals(
              "/srv/" + "a".repeat(1_000_000) + "g",
              Normalizer.path("/srv/" + "a".repeat(1_000_000) + "g"));
          assertEquals(
              "/etc/passwd", Normalizer.fold("/tmp" + "/x/..".repeat(200_000) + "/../etc/passwd"));
        });
  }
}
