package dev.tripline.collector.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.protect.PolicyReader;
import org.junit.jupiter.api.Test;

/** The allow list's bounds: a family that does not fit is left out whole and named, never cut. */
class AllowListsTest {
  private static ProfileEntry entry(EventKind kind, String target, boolean generalized) {
    String family = kind == EventKind.FILE_RENAME ? "FILE_WRITE" : kind.name();
    return ProfileEntry.newBuilder()
        .setKey(family + "|" + target)
        .setKind(kind)
        .setTarget(target)
        .setGeneralized(generalized)
        .build();
  }

  private static ProtectionPolicy.Builder block(EventKind... kinds) {
    ProtectionPolicy.Builder b = ProtectionPolicy.newBuilder().setMode(ProtectionMode.BLOCK);
    for (EventKind k : kinds) b.addKinds(k);
    return b;
  }

  @Test
  void anOverCapFamilyIsTruncatedWholeTheOthersStayAndTheRecordFits() {
    ServiceProfile.Builder p = ServiceProfile.newBuilder().setState(ProfileState.MONITORING);
    p.addEntries(entry(EventKind.NET_CONNECT, "db:5432", false));
    p.addEntries(entry(EventKind.PROCESS_SPAWN, "/usr/bin/git status", false));
    p.addEntries(entry(EventKind.FILE_WRITE, "/srv/out/*", true));
    // far more file reads than a record can carry (past the key count cap)
    for (int i = 0; i <= PolicyReader.MAX_ALLOWED_KEYS; i++) {
      p.addEntries(entry(EventKind.FILE_READ, "/srv/data/f" + i, false));
    }
    ProtectionPolicy.Builder b =
        block(
            EventKind.FILE_READ,
            EventKind.NET_CONNECT,
            EventKind.PROCESS_SPAWN,
            EventKind.FILE_WRITE,
            EventKind.FILE_RENAME);
    ProtectionPolicy policy = AllowLists.fill(b, p.build()).build();
    assertEquals(java.util.List.of(EventKind.FILE_READ), policy.getTruncatedKindsList());
    assertEquals(
        java.util.List.of("NET_CONNECT|db:5432", "PROCESS_SPAWN|/usr/bin/git status"),
        policy.getAllowedList());
    assertEquals(java.util.List.of("FILE_WRITE|/srv/out/*"), policy.getAllowedGeneralizedList());
    assertTrue(policy.getSerializedSize() < PolicyReader.MAX_RECORD_BYTES);

    // one key longer than a reader accepts truncates its family too
    ServiceProfile longKey =
        ServiceProfile.newBuilder()
            .setState(ProfileState.MONITORING)
            .addEntries(
                entry(EventKind.NET_CONNECT, "h".repeat(PolicyReader.MAX_KEY_CHARS) + ":1", false))
            .addEntries(entry(EventKind.PROCESS_SPAWN, "/bin/true", false))
            .build();
    ProtectionPolicy cut =
        AllowLists.fill(block(EventKind.NET_CONNECT, EventKind.PROCESS_SPAWN), longKey).build();
    assertEquals(java.util.List.of(EventKind.NET_CONNECT), cut.getTruncatedKindsList());
    assertEquals(java.util.List.of("PROCESS_SPAWN|/bin/true"), cut.getAllowedList());
  }

  @Test
  void learningOrOffCarriesNoListOnlyTheState() {
    ServiceProfile learning =
        ServiceProfile.newBuilder()
            .setState(ProfileState.LEARNING)
            .addEntries(entry(EventKind.NET_CONNECT, "db:5432", false))
            .build();
    ProtectionPolicy p = AllowLists.fill(block(EventKind.NET_CONNECT), learning).build();
    assertEquals(ProfileState.LEARNING, p.getProfileState());
    assertEquals(0, p.getAllowedCount());
    ProtectionPolicy off =
        AllowLists.fill(
                block(EventKind.NET_CONNECT).setMode(ProtectionMode.PROTECTION_OFF),
                learning.toBuilder().setState(ProfileState.MONITORING).build())
            .build();
    assertEquals(0, off.getAllowedCount());
    assertEquals(
        ProfileState.PROFILE_STATE_UNSPECIFIED,
        AllowLists.fill(block(EventKind.NET_CONNECT), null).build().getProfileState());
  }
}
