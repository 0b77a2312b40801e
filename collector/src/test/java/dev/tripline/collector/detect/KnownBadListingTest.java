package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.judge.KnownBadRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Directory listings (issue 22): the agent reports a listed directory as a FILE_READ marked {@code
 * directory}. A listing of a credentials directory is known-bad where reading its files would be,
 * even while learning; the application's own directories are learned like any file.
 */
class KnownBadListingTest {
  private static final KnownBadRules BUILT_IN = KnownBadRules.load("");
  private static final long T0 = 1_000_000;

  private static Event listing(String dir, boolean directory) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setCount(1)
        .setFile(FileTarget.newBuilder().setPath(dir).setDirectory(directory))
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Shop").setMethodName("m"))
        .build();
  }

  private static String rule(Event e) {
    return BUILT_IN.match(e).map(KnownBadRules.Rule::id).orElse("none");
  }

  @Test
  void listingACredentialsDirectoryIsKnownBad() {
    for (String dir :
        List.of(
            "/root/.ssh",
            "/home/app/.aws",
            "/home/app/.kube",
            "/home/app/.docker",
            "/home/app/.config/gcloud",
            "/etc/kubernetes",
            "/etc/kubernetes/pki",
            "/var/run/secrets",
            "/var/run/secrets/kubernetes.io",
            "/var/run/secrets/kubernetes.io/serviceaccount",
            "/run/secrets/kubernetes.io/serviceaccount",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount")) {
      assertEquals("credential-dir", rule(listing(dir, true)), dir);
    }
  }

  @Test
  void ordinaryListingsAndFileReadsOfTheSameNamesAreNot() {
    for (String dir :
        List.of(
            "/app/config",
            "/app/BOOT-INF/classes/com/acme",
            "/tmp/tomcat.8080.123",
            "/etc",
            "/etc/ssl/certs",
            "/run/secrets", // Docker secrets, read by Spring's configtree: learned, not known-bad
            "/home/app/.m2")) {
      assertEquals("none", rule(listing(dir, true)), dir);
    }
    // the service-account files a Kubernetes client reads are not listings
    assertEquals(
        "none", rule(listing("/var/run/secrets/kubernetes.io/serviceaccount/namespace", false)));
    assertEquals(
        "none", rule(listing("/root/.ssh", false)), "a plain read: listing=true holds not");
    // the credential files themselves keep their own rule
    assertEquals("credential-file", rule(listing("/root/.ssh/id_ed25519", false)));
  }

  @Test
  void aCredentialsListingAlertsWhileLearningAndTheAppsOwnListingsDoNot() {
    DetectionTest.MapState state = new DetectionTest.MapState();
    Detection detection = new Detection(DetectionTest.settings(), 3, DetectionTest.NO_METER, T0);
    state.batch(detection, T0, listing("/app/config", true), listing("/run/secrets", true));
    assertEquals(List.of(), state.reasons(), "the app's own directories: learned");
    state.batch(detection, T0 + 1_000, listing("/home/app/.ssh", true));
    assertEquals(
        ProfileState.LEARNING, state.profiles.get("shop").getState(), "still learning: " + state);
    assertEquals(List.of(AlertReason.KNOWN_BAD), state.reasons());
    Alert alert = state.published.get(0);
    assertEquals("credential-dir", alert.getRule(), alert.toString());
    assertEquals("/home/app/.ssh", alert.getEvent().getFile().getPath(), alert.toString());

    detection.tick(T0 + 12_000, state);
    assertEquals(ProfileState.MONITORING, state.profiles.get("shop").getState());
    state.batch(detection, T0 + 13_000, listing("/app/config", true));
    assertEquals(List.of(AlertReason.KNOWN_BAD), state.reasons(), "a learned listing is normal");
  }
}
