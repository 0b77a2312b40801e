package dev.tripline.collector.detect;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.ProfileState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A deploy of a new version starts up differently (a Keycloak rebuild opens a D-Bus socket, reads
 * new providers): while MONITORING, an instance whose version is new to the service learns its
 * start-up behaviour for a short grace instead of raising NEW_* alerts — known-bad rules fire as
 * always, and what was learned is reported for review. A version is new while its first instance
 * was first seen (by the collector's clock, never the agent's) less than the grace ago, and after
 * monitoring began (a version seen while learning is part of normal). The version comes from the
 * payload: at most {@value #MAX_NEW_VERSIONS} versions per learning period get a grace, so a
 * producer that claims a fresh version with every instance gains little.
 */
public final class VersionGrace {
  static final int MAX_NEW_VERSIONS = 3;

  private VersionGrace() {}

  /** The version an instance runs: its service version and image, "" when it reports neither. */
  public static String version(AgentIdentity a) {
    if (a.getServiceVersion().isEmpty() && a.getImage().isEmpty()) return "";
    return a.getServiceVersion() + (a.getImage().isEmpty() ? "" : " (" + a.getImage() + ")");
  }

  /** True when this instance's events are judged under a new version's start-up grace. */
  public static boolean applies(
      Profiles profile, AgentIdentity agent, long now, Duration grace, Duration period) {
    if (grace.isZero() || profile.state() != ProfileState.MONITORING) return false;
    String v = version(agent);
    if (v.isEmpty()) return false;
    Map<String, Long> firstSeen = new HashMap<>();
    for (InstanceSeen i : profile.builder().getInstancesMap().values()) {
      long at = i.getFirstSeenMs() == 0 ? Long.MIN_VALUE / 2 : i.getFirstSeenMs();
      firstSeen.merge(version(i.getAgent()), at, Math::min);
    }
    long since = firstSeen.getOrDefault(v, now);
    // Seen while the profile learned (or before it last changed state): part of normal already.
    if (since < profile.builder().getStateChangedMs()) return false;
    if (now - since >= grace.toMillis()) return false;
    long recentVersions =
        firstSeen.entrySet().stream()
            .filter(en -> !en.getKey().isEmpty() && now - en.getValue() < period.toMillis())
            .count();
    return recentVersions + (firstSeen.containsKey(v) ? 0 : 1) <= MAX_NEW_VERSIONS;
  }
}
