package dev.tripline.collector.profile;

import dev.tripline.collector.detect.CodeOwner;
import dev.tripline.model.Event;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A service's profile while one batch (or action) is applied to it: the protobuf builder plus an
 * index from profile key to entry, so a known behaviour is found in O(1).
 */
public final class Profiles {
  public static final String LEARNED = "learned";
  public static final int MAX_RATE_HISTORY = 240;

  private final ServiceProfile.Builder profile;
  private final Map<String, Integer> index = new HashMap<>();
  private boolean structural;

  private Profiles(ServiceProfile.Builder profile) {
    this.profile = profile;
    for (int i = 0; i < profile.getEntriesCount(); i++) {
      index.put(profile.getEntries(i).getKey(), i);
    }
  }

  public static Profiles of(ServiceProfile existing) {
    return new Profiles(existing.toBuilder());
  }

  /** A new service starts learning now. */
  public static Profiles create(String service, long now, Duration learningPeriod) {
    Profiles p = new Profiles(ServiceProfile.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setService(service)
        .setState(ProfileState.LEARNING)
        .setCreatedMs(now)
        .setLearningUntilMs(now + learningPeriod.toMillis())
        .setLastNewMs(now)
        .setStateChangedMs(now)
        .setStateChangedBy("auto"));
    p.structural = true;
    return p;
  }

  public ServiceProfile.Builder builder() {
    return profile;
  }

  public ProfileState state() {
    return profile.getState();
  }

  /** The entry for this behaviour, or null. */
  public ProfileEntry entry(String key) {
    Integer i = index.get(key);
    return i == null ? null : profile.getEntries(i);
  }

  /** Counts a known behaviour. */
  public void touch(String key, Event e, long now) {
    // In place: the hot path of a monitored service, once per event.
    ProfileEntry.Builder entry = profile.getEntriesBuilder(index.get(key));
    entry.setCount(entry.getCount() + Math.max(1, e.getCount()))
        .setLastSeenMs(Math.max(entry.getLastSeenMs(), now));
    if (e.hasCallSite()) {
      entry.setCallSite(callSite(e));
    }
  }

  /** Adds a behaviour as normal ({@code origin}: "learned" or "accepted by …"). */
  public void add(String key, Event e, String origin, long now) {
    if (index.containsKey(key)) {
      addOwner(key, CodeOwner.of(e.getCallSite())); // an accepted NEW_CODE_PATH: this code may do it now
      return;
    }
    index.put(key, profile.getEntriesCount());
    profile.addEntries(ProfileEntry.newBuilder()
        .setKey(key)
        .setKind(e.getKind())
        .setTarget(key.substring(key.indexOf('|') + 1))
        .setCallSite(callSite(e))
        .setFirstSeenMs(now)
        .setLastSeenMs(now)
        .setCount(Math.max(1, e.getCount()))
        .setOrigin(origin));
    addOwner(key, CodeOwner.of(e.getCallSite()));
    if (LEARNED.equals(origin)) {
      profile.setLastNewMs(now);
    }
    structural = true;
  }

  /** Remembers that this code performs the behaviour; past {@link CodeOwner#MAX_PER_ENTRY} the last slot means any code. */
  public void addOwner(String key, String owner) {
    ProfileEntry entry = entry(key);
    if (entry == null || owner.isEmpty() || entry.getCodeOwnersList().contains(owner)
        || entry.getCodeOwnersList().contains(CodeOwner.ANY)) {
      return;
    }
    ProfileEntry.Builder b = profile.getEntriesBuilder(index.get(key));
    if (b.getCodeOwnersCount() < CodeOwner.MAX_PER_ENTRY - 1) {
      b.addCodeOwners(owner);
    } else {
      b.addCodeOwners(CodeOwner.ANY);
    }
    structural = true;
  }

  public void setState(ProfileState state, String by, long now, Duration learningPeriod) {
    if (state == ProfileState.LEARNING) {
      profile.setLearningUntilMs(now + learningPeriod.toMillis()).setLastNewMs(now);
    }
    profile.setState(state).setStateChangedMs(now).setStateChangedBy(by);
    structural = true;
  }

  /** LEARNING ends once the period has passed and nothing new came for the quiet time. */
  public boolean readyToMonitor(long now, Duration quiet) {
    return profile.getState() == ProfileState.LEARNING
        && now >= profile.getLearningUntilMs()
        && now - profile.getLastNewMs() >= quiet.toMillis();
  }

  /** True when entries or state changed (worth publishing at once, not just counts). */
  public boolean structuralChange() {
    return structural;
  }

  public ServiceProfile build() {
    while (profile.getRateHistoryCount() > MAX_RATE_HISTORY) {
      profile.removeRateHistory(0);
    }
    return profile.build();
  }

  private static String callSite(Event e) {
    return e.getCallSite().getClassName().isEmpty() ? "" : e.getCallSite().getClassName() + "." + e.getCallSite().getMethodName();
  }
}
