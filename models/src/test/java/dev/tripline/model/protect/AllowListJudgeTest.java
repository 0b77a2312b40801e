package dev.tripline.model.protect;

import static dev.tripline.model.protect.KnownBadRefusalTest.DESER;
import static dev.tripline.model.protect.KnownBadRefusalTest.connect;
import static dev.tripline.model.protect.KnownBadRefusalTest.file;
import static dev.tripline.model.protect.KnownBadRefusalTest.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.judge.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * New behaviour outside the learned profile, judged with the collector's own normalisation: only
 * the enforced kinds, only when the policy says MONITORING, never a kind whose list was truncated.
 */
class AllowListJudgeTest {
  private static final Event DB = connect("10.0.0.5", 5432);
  private static final Event GIT =
      Event.newBuilder()
          .setKind(EventKind.PROCESS_SPAWN)
          .setProcess(
              ProcessTarget.newBuilder()
                  .setExecutable("/usr/bin/git")
                  .addArgv("git")
                  .addArgv("status"))
          .build();

  /** A MONITORING service in block, enforcing spawns, connects and file reads, knowing GIT, DB. */
  static ProtectionPolicy.Builder monitoring() {
    return KnownBadRefusalTest.policy(ProtectionMode.BLOCK).toBuilder()
        .addKinds(EventKind.PROCESS_SPAWN)
        .addKinds(EventKind.NET_CONNECT)
        .addKinds(EventKind.FILE_READ)
        .setProfileState(ProfileState.MONITORING)
        .addAllowed(Normalizer.key(DB))
        .addAllowed(Normalizer.key(GIT))
        .addAllowed(Normalizer.key(file(EventKind.FILE_READ, "/etc/shop/app.conf")))
        .addAllowedGeneralized("FILE_READ|/srv/media/photos/*");
  }

  private static String refused(ProtectionPolicy p, Event e) {
    ProtectionJudge.Refusal r = ProtectionJudges.of(p).judge(e);
    return r == null ? "none" : r.rule + (r.knownBad ? "" : " / " + r.reason);
  }

  @Test
  void whatTheProfileKnowsGoesAheadTheNewIsRefusedPerKind() {
    ProtectionPolicy p = monitoring().build();
    assertEquals("none", refused(p, DB));
    assertEquals("none", refused(p, GIT));
    assertEquals("none", refused(p, file(EventKind.FILE_READ, "/etc/shop/app.conf")));
    assertEquals(
        "new-behaviour:NET_CONNECT / new behaviour outside the learned profile: 10.0.0.66:5432",
        refused(p, connect("10.0.0.66", 5432)));
    assertEquals(
        "new-behaviour:PROCESS_SPAWN / new behaviour outside the learned profile: /usr/bin/id",
        refused(
            p,
            spawn("/usr/bin/id").toBuilder()
                .setProcess(ProcessTarget.newBuilder().setExecutable("/usr/bin/id").addArgv("id"))
                .build()));
    // the traversal read: another file than the one learned
    assertEquals(
        "new-behaviour:FILE_READ / new behaviour outside the learned profile: /etc/passwd",
        refused(p, file(EventKind.FILE_READ, "/etc/shop/../passwd")));
    // a kind the operator did not choose is never refused as new
    assertEquals("none", refused(p, file(EventKind.FILE_WRITE, "/tmp/anything")));
    // a directory listing is never refused as new (the collector knows it from the files in it)
    Event listing =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setFile(FileTarget.newBuilder().setPath("/srv/other").setDirectory(true))
            .build();
    assertEquals("none", refused(p, listing));
  }

  @Test
  void theSameNormalisationAsTheCollectorsProfile() {
    ProtectionPolicy p = monitoring().build();
    // the same behaviour spelled otherwise normalises to the learned key
    assertEquals("none", refused(p, file(EventKind.FILE_READ, "/etc/shop/./app.conf")));
    assertEquals("none", refused(p, file(EventKind.FILE_READ, "/etc//shop/app.conf")));
    Event viaSymlink =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setFile(FileTarget.newBuilder().setPath("/app/conf").setRealPath("/etc/shop/app.conf"))
            .build();
    assertEquals("none", refused(p, viaSymlink));
    Event dbByName =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setNetwork(
                NetworkTarget.newBuilder().setHost("DB.internal").setIp("10.0.0.5").setPort(5432))
            .build();
    // learned by address, connected by name: another key, as the collector would judge it
    assertEquals(
        "new-behaviour:NET_CONNECT / new behaviour outside the learned profile: db.internal:5432",
        refused(p, dbByName));
    // a generalised entry stands for the files below it, not for its siblings
    assertEquals("none", refused(p, file(EventKind.FILE_READ, "/srv/media/photos/2026/a.jpg")));
    assertTrue(refused(p, file(EventKind.FILE_READ, "/srv/media/videos/a.mp4")).startsWith("new-"));
  }

  @Test
  void onlyMonitoringJudgesNewBehaviourKnownBadAlways() {
    for (ProfileState s : List.of(ProfileState.LEARNING, ProfileState.PROFILE_STATE_UNSPECIFIED)) {
      ProtectionPolicy p = monitoring().setProfileState(s).build();
      assertEquals("none", refused(p, connect("10.0.0.66", 5432)), s.name());
      assertEquals("gadget-spawn", refused(p, spawn("/usr/bin/id", DESER)), s.name());
    }
    // known-bad before the profile: a learned command under a gadget is still refused
    ProtectionPolicy p = monitoring().build();
    assertEquals("gadget-spawn", refused(p, GIT.toBuilder().addContexts(DESER).build()));
    // off judges nothing at all, dry-run judges as block
    assertEquals(
        "none",
        refused(
            monitoring().setMode(ProtectionMode.PROTECTION_OFF).build(), connect("1.2.3.4", 1)));
    assertTrue(
        refused(monitoring().setMode(ProtectionMode.DRY_RUN).build(), connect("1.2.3.4", 1))
            .startsWith("new-behaviour:NET_CONNECT"));
  }

  @Test
  void aTruncatedKindFailsOpenTheOthersAreStillJudged() {
    ProtectionPolicy p = monitoring().addTruncatedKinds(EventKind.FILE_READ).build();
    assertEquals("none", refused(p, file(EventKind.FILE_READ, "/etc/passwd")));
    assertTrue(refused(p, connect("10.0.0.66", 5432)).startsWith("new-behaviour:NET_CONNECT"));
    // a rename is filed with writes: truncating FILE_WRITE leaves renames unjudged too
    ProtectionPolicy writes =
        monitoring()
            .addKinds(EventKind.FILE_RENAME)
            .addTruncatedKinds(EventKind.FILE_WRITE)
            .build();
    Event rename =
        Event.newBuilder()
            .setKind(EventKind.FILE_RENAME)
            .setFile(FileTarget.newBuilder().setPath("/tmp/a").setNewPath("/srv/b"))
            .build();
    assertEquals("none", refused(writes, rename));
    AllowList list = AllowList.of(writes);
    assertTrue(list.truncated(EventKind.FILE_RENAME));
    assertFalse(list.truncated(EventKind.NET_CONNECT));
  }

  @Test
  void anEmptyListInMonitoringRefusesEveryNewCallOfTheKinds() {
    ProtectionPolicy p =
        KnownBadRefusalTest.policy(ProtectionMode.BLOCK).toBuilder()
            .addKinds(EventKind.NET_CONNECT)
            .setProfileState(ProfileState.MONITORING)
            .build();
    assertTrue(refused(p, DB).startsWith("new-behaviour:NET_CONNECT"));
    assertEquals("none", refused(p, GIT), "spawns are not enforced by this policy");
  }
}
