package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.ProfileState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A directory first listed after learning (issue 22): logback's rollover lists the directory it
 * writes its logs to. A listing of a directory whose files the service already reads or writes is
 * known; any other is an alert that says "listed", never "New file read"; a credentials directory
 * listed is known-bad whatever the service does in it.
 */
class ListingKnownTest {
  private static final long T0 = 1_000_000;

  private static Event file(EventKind kind, String path, boolean directory) {
    return Event.newBuilder()
        .setKind(kind)
        .setCount(1)
        .setFile(FileTarget.newBuilder().setPath(path).setDirectory(directory))
        .setCallSite(
            CallSite.newBuilder()
                .setClassName("ch.qos.logback.core.rolling.helper.FileFinder")
                .setMethodName("findFiles")
                .setJarName("logback-core-1.5.6.jar"))
        .build();
  }

  private static Event listing(String dir) {
    return file(EventKind.FILE_READ, dir, true);
  }

  @Test
  void aListingOfADirectoryWhoseFilesTheServiceUsesIsKnownAndAnyOtherSaysListed() {
    DetectionTest.MapState state = new DetectionTest.MapState();
    Detection detection = new Detection(DetectionTest.settings(), 50, DetectionTest.NO_METER, T0);
    state.batch(
        detection,
        T0,
        file(EventKind.FILE_WRITE, "/var/log/shop/shop.log", false),
        file(EventKind.FILE_READ, "/srv/shop/config/app.yml", false),
        file(EventKind.FILE_WRITE, "/home/app/.ssh/known_hosts", false));
    detection.tick(T0 + 12_000, state);
    assertEquals(ProfileState.MONITORING, state.profiles.get("shop").getState());
    state.published.clear();

    // the rollover lists its log directory; a config reload lists the config directory
    state.batch(detection, T0 + 13_000, listing("/var/log/shop"), listing("/srv/shop/config"));
    assertEquals(List.of(), state.reasons(), "directories the service works in: " + state);
    state.batch(detection, T0 + 14_000, listing("/var/log/shop"));
    assertEquals(List.of(), state.reasons(), "now known, counted");
    assertTrue(
        state.profiles.get("shop").getEntriesList().stream()
            .anyMatch(en -> en.getListing() && en.getTarget().equals("/var/log/shop")),
        "kept as a listing: " + state.profiles.get("shop"));

    // a parent is not implied by its children's listings (learned just now: no chain up to "/")
    state.batch(detection, T0 + 15_000, listing("/srv/shop"));
    assertEquals(List.of(AlertReason.NEW_FILE_ACCESS), state.reasons());
    Alert parent = state.published.get(0);
    assertTrue(parent.getTitle().startsWith("New directory listed: /srv/shop"), parent.getTitle());
    // a directory the service never touched, e.g. the attacker's look around
    state.batch(detection, T0 + 16_000, listing("/etc"));
    assertTrue(
        state.published.get(1).getTitle().startsWith("New directory listed: /etc"),
        state.toString());
    // a file read keeps its title
    state.batch(detection, T0 + 17_000, file(EventKind.FILE_READ, "/etc/hostname", false));
    assertTrue(
        state.published.get(2).getTitle().startsWith("New file read: /etc/hostname"),
        state.published.get(2).getTitle());

    // a credentials directory the service writes in (known_hosts) is still known-bad when listed
    state.batch(detection, T0 + 18_000, listing("/home/app/.ssh"));
    Alert ssh = state.published.get(3);
    assertEquals(AlertReason.KNOWN_BAD, ssh.getReason(), ssh.toString());
    assertEquals("credential-dir", ssh.getRule(), ssh.toString());
  }

  @Test
  void whatASecureDirectoryStreamReportsIsJudgedLikeAnyListingAndRead() {
    // the agent reports a SecureDirectoryStream's relative names with their full paths
    DetectionTest.MapState state = new DetectionTest.MapState();
    Detection detection = new Detection(DetectionTest.settings(), 50, DetectionTest.NO_METER, T0);
    state.batch(
        detection,
        T0,
        listing("/home/app/.ssh"),
        file(EventKind.FILE_READ, "/home/app/.aws/credentials", false));
    assertEquals(
        List.of("credential-dir", "credential-file"),
        state.published.stream().map(Alert::getRule).toList(),
        "known-bad while learning: " + state);
  }
}
