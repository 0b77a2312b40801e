package dev.tripline.collector.profile;

import dev.tripline.collector.detect.CodeOwner;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileEntryOrBuilder;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.judge.Generalizer;
import dev.tripline.model.judge.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A service's profile while one batch (or action) is applied to it: the protobuf builder plus an
 * index from profile key to entry, so a known behaviour is found in O(1).
 */
public final class Profiles {
  public static final String LEARNED = "learned";
  public static final int MAX_RATE_HISTORY = 240;

  private ServiceProfile.Builder profile;
  private final Map<String, Integer> index = new HashMap<>();
  private boolean structural;
  // Bounds (see bounded()): entries per kind family, and an estimate of the serialised size.
  private int maxPerKind = Integer.MAX_VALUE;
  private long maxBytes = Long.MAX_VALUE;
  private final Map<String, Integer> perFamily = new HashMap<>();
  private final Map<String, Integer> generalizedPerFamily = new HashMap<>();
  private boolean countsReady;
  private long bytes;
  private int generalizeAttempts;
  private @Nullable ServiceProfile lastBuilt;

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
    Profiles p =
        new Profiles(
            ServiceProfile.newBuilder()
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

  /**
   * Starts the next batch (or action) on a profile kept from the last one: {@code saved} must be
   * what {@link #build} last returned ({@link #lastBuilt}), whose entries the index still locates.
   * A fresh builder, so that entries counted by earlier batches are not rebuilt by every later one;
   * the index is kept. The caller bounds it again ({@link #bounded}).
   */
  public Profiles resume(ServiceProfile saved) {
    if (!lastBuilt(saved)) {
      throw new IllegalArgumentException("not this profile's last saved state");
    }
    profile = saved.toBuilder();
    structural = false;
    generalizeAttempts = 0;
    return this;
  }

  public ServiceProfile.Builder builder() {
    return profile;
  }

  public ProfileState state() {
    return profile.getState();
  }

  /** The entry for this behaviour, or null. */
  public @Nullable ProfileEntry entry(String key) {
    Integer i = index.get(key);
    return i == null ? null : profile.getEntries(i);
  }

  /**
   * Where a known behaviour's entry sits; callers pass keys {@link #known} or {@link #entry} found.
   */
  private int slot(String key) {
    Integer i = index.get(key);
    if (i == null) {
      throw new IllegalArgumentException("not in the profile: " + key);
    }
    return i;
  }

  /**
   * Counts a known behaviour; returns its entry as counted, a view to read at once (the entry's
   * builder: no message is built per event, see {@link #known}).
   */
  public ProfileEntryOrBuilder touch(String key, Event e, long now) {
    // In place: the hot path of a monitored service, once per event.
    int slot = slot(key);
    ProfileEntry.Builder entry = profile.getEntriesBuilder(slot);
    entry
        .setCount(entry.getCount() + Math.max(1, e.getCount()))
        .setLastSeenMs(Math.max(entry.getLastSeenMs(), now));
    if (e.hasCallSite() && !sameCallSite(entry.getCallSite(), e)) {
      entry.setCallSite(callSite(e));
    }
    return entry;
  }

  /** Adds a behaviour as normal ({@code origin}: "learned" or "accepted by …"). */
  public void add(String key, Event e, String origin, long now) {
    if (index.containsKey(key)) {
      addOwner(
          key, CodeOwner.of(e.getCallSite())); // an accepted NEW_CODE_PATH: this code may do it now
      return;
    }
    ProfileEntry.Builder entry =
        ProfileEntry.newBuilder()
            .setKey(key)
            .setKind(e.getKind())
            .setTarget(Normalizer.targetOf(key))
            .setCallSite(callSite(e))
            .setFirstSeenMs(now)
            .setLastSeenMs(now)
            .setCount(Math.max(1, e.getCount()))
            .setOrigin(origin)
            .setListing(isListing(e));
    String owner = CodeOwner.of(e.getCallSite());
    if (!owner.isEmpty()) {
      entry.addCodeOwners(owner); // before append: the byte budget counts what is stored
    }
    append(entry.build());
    if (LEARNED.equals(origin)) {
      profile.setLastNewMs(now);
    }
    structural = true;
  }

  private void append(ProfileEntry entry) {
    index.put(entry.getKey(), profile.getEntriesCount());
    profile.addEntries(entry);
    if (countsReady) {
      perFamily.merge(Normalizer.familyOf(entry.getKey()), 1, Integer::sum);
      if (entry.getGeneralized()) {
        generalizedPerFamily.merge(Normalizer.familyOf(entry.getKey()), 1, Integer::sum);
      }
    }
    bytes += entry.getSerializedSize() + 4;
  }

  /**
   * Bounds this profile: at most {@code maxPerKind} entries per kind family (plus a tenth more for
   * generalised ones) and about {@code maxBytes} serialised. Returns this.
   */
  public Profiles bounded(int maxPerKind, long maxBytes, long currentBytes) {
    this.maxPerKind = maxPerKind;
    this.maxBytes = maxBytes;
    this.bytes = currentBytes;
    this.countsReady =
        false; // counted when something new needs them: most batches only touch known entries
    return this;
  }

  /** Entries per kind family, and generalised ones, counted on first need. */
  private void counts() {
    if (countsReady) {
      return;
    }
    perFamily.clear();
    generalizedPerFamily.clear();
    for (ProfileEntry en : profile.getEntriesList()) {
      perFamily.merge(Normalizer.familyOf(en.getKey()), 1, Integer::sum);
      if (en.getGeneralized()) {
        generalizedPerFamily.merge(Normalizer.familyOf(en.getKey()), 1, Integer::sum);
      }
    }
    countsReady = true;
  }

  /** The entry for this behaviour, or the generalised entry that stands for it, or null. */
  public @Nullable ProfileEntryOrBuilder known(String key) {
    // The exact entry as it stands (its builder once touched in this batch): building a message
    // of an entry touched just before, for every event, was most of the per-event profile cost.
    Integer i = index.get(key);
    if (i != null) {
      return profile.getEntriesOrBuilder(i);
    }
    counts();
    String family = Normalizer.familyOf(key);
    if (generalizedPerFamily.getOrDefault(family, 0) == 0) {
      return null;
    }
    for (String pattern : Generalizer.candidates(family, Normalizer.targetOf(key))) {
      ProfileEntry g = entry(family + "|" + pattern);
      if (g != null && g.getGeneralized()) {
        return g;
      }
    }
    return null;
  }

  /** A directory listed: a FILE_READ of the directory, marked as one by the agent. */
  public static boolean isListing(Event e) {
    return e.getKind() == EventKind.FILE_READ && e.hasFile() && e.getFile().getDirectory();
  }

  /**
   * Whether a listing of the directory {@code dir} (a normalised path) goes with what this profile
   * knows: a file directly in it read, written or deleted (not a listing: one listing never implies
   * another, so no chain of them reaches "/"), or a generalised entry for exactly its files ({@code
   * dir/*}). Logback's rollover lists the directory it writes its logs to. Scans the entries: only
   * for a listing not known yet.
   */
  public boolean usesFilesIn(String dir) {
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    for (ProfileEntry en : profile.getEntriesList()) {
      if (en.getListing()
          || !(en.getKind() == EventKind.FILE_READ
              || en.getKind() == EventKind.FILE_WRITE
              || en.getKind() == EventKind.FILE_RENAME
              || en.getKind() == EventKind.FILE_DELETE)) {
        continue;
      }
      String t = en.getTarget();
      if (en.getGeneralized()
          ? t.equals(prefix + "*")
          : t.startsWith(prefix)
              && t.length() > prefix.length()
              && t.indexOf('/', prefix.length()) < 0) {
        return true;
      }
    }
    return false;
  }

  /** What {@link #learn} did with a new behaviour. */
  public enum Learned {
    ADDED,
    GENERALIZED,
    OVERFLOW
  }

  /**
   * Learns a new behaviour within the bounds: added as is while its kind has room; past that, it
   * and the learned entries it shares a directory (domain, executable…) with collapse into one
   * generalised entry; when even that does not fit, it is not stored ({@code OVERFLOW}).
   */
  public Learned learn(String key, Event e, long now) {
    String family = Normalizer.familyOf(key);
    ProfileEntry candidate =
        ProfileEntry.newBuilder()
            .setKey(key)
            .setKind(e.getKind())
            .setTarget(Normalizer.targetOf(key))
            .setCallSite(callSite(e))
            .setFirstSeenMs(now)
            .setLastSeenMs(now)
            .setCount(Math.max(1, e.getCount()))
            .setOrigin(LEARNED)
            .setListing(isListing(e))
            .build();
    counts();
    if (perFamily.getOrDefault(family, 0) < maxPerKind
        && bytes + candidate.getSerializedSize() + 4 <= maxBytes) {
      add(key, e, LEARNED, now);
      return Learned.ADDED;
    }
    // Bounded work per batch: a flood of targets in ever new places ends as OVERFLOW quickly.
    if (generalizeAttempts++ < 64) {
      for (String pattern : Generalizer.candidates(family, candidate.getTarget())) {
        if (generalize(family, pattern, candidate)) {
          return Learned.GENERALIZED;
        }
      }
    }
    return Learned.OVERFLOW;
  }

  /**
   * Replaces the learned entries {@code pattern} covers (and the new one) by one generalised entry,
   * if it fits.
   */
  private boolean generalize(String family, String pattern, ProfileEntry newcomer) {
    String key = family + "|" + pattern;
    ProfileEntry existing = entry(key);
    if (existing != null && !LEARNED.equals(existing.getOrigin())) {
      return false; // an analyst's entry of that name stays as it is
    }
    List<ProfileEntry> kept = new ArrayList<>(profile.getEntriesCount());
    ProfileEntry.Builder merged =
        ProfileEntry.newBuilder(newcomer).setKey(key).setTarget(pattern).setGeneralized(true);
    int removed = 0;
    long freed = 0;
    for (ProfileEntry en : profile.getEntriesList()) {
      boolean collapse =
          Normalizer.familyOf(en.getKey()).equals(family)
              && LEARNED.equals(en.getOrigin())
              && Generalizer.covers(pattern, en.getTarget());
      if (collapse) {
        removed++;
        freed += en.getSerializedSize() + 4;
        merged
            .setCount(merged.getCount() + en.getCount())
            .setFirstSeenMs(Math.min(merged.getFirstSeenMs(), en.getFirstSeenMs()))
            .setLastSeenMs(Math.max(merged.getLastSeenMs(), en.getLastSeenMs()));
      } else {
        kept.add(en);
      }
    }
    ProfileEntry g = merged.build();
    counts();
    int entriesAfter = perFamily.getOrDefault(family, 0) - removed + 1;
    int generalizedRoom = Math.max(10, maxPerKind / 10);
    if (entriesAfter > maxPerKind + generalizedRoom
        || bytes - freed + g.getSerializedSize() + 4 > maxBytes) {
      return false;
    }
    profile.clearEntries().addAllEntries(kept);
    index.clear();
    for (int i = 0; i < kept.size(); i++) {
      index.put(kept.get(i).getKey(), i);
    }
    bounded(maxPerKind, maxBytes, bytes - freed);
    append(g);
    structural =
        true; // lastNewMs unchanged: a flood of new targets must not keep a service learning
    return true;
  }

  /** Keeps the {@code max} most recently seen instances. */
  public void trimInstances(int max) {
    if (profile.getInstancesCount() <= max) {
      return;
    }
    List<String> oldest =
        profile.getInstancesMap().entrySet().stream()
            .sorted(Comparator.comparingLong(en -> en.getValue().getLastSeenMs()))
            .limit(profile.getInstancesCount() - max)
            .map(Map.Entry::getKey)
            .toList();
    oldest.forEach(profile::removeInstances);
    structural = true;
  }

  /**
   * Remembers that this code performs the behaviour; past {@link CodeOwner#MAX_PER_ENTRY} the last
   * slot means any code.
   */
  public void addOwner(String key, String owner) {
    ProfileEntry entry = entry(key);
    if (entry == null
        || owner.isEmpty()
        || entry.getCodeOwnersList().contains(owner)
        || entry.getCodeOwnersList().contains(CodeOwner.ANY)) {
      return;
    }
    ProfileEntry.Builder b = profile.getEntriesBuilder(slot(key));
    String added = b.getCodeOwnersCount() < CodeOwner.MAX_PER_ENTRY - 1 ? owner : CodeOwner.ANY;
    b.addCodeOwners(added);
    bytes += added.length() + 2;
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

  /**
   * LEARNING has lasted {@code max} (since it began: creation or an analyst's SET_LEARNING),
   * however much new still comes: a service that never settles, or an attacker keeping it learning.
   */
  public boolean learningOverdue(long now, Duration max) {
    return profile.getState() == ProfileState.LEARNING
        && now - profile.getStateChangedMs() >= max.toMillis();
  }

  /** True when entries or state changed (worth publishing at once, not just counts). */
  public boolean structuralChange() {
    return structural;
  }

  public ServiceProfile build() {
    while (profile.getRateHistoryCount() > MAX_RATE_HISTORY) {
      profile.removeRateHistory(0);
    }
    lastBuilt = profile.build();
    return lastBuilt;
  }

  /** Whether {@code p} is what {@link #build} last returned (and so this profile's state then). */
  @SuppressWarnings("ReferenceEquality") // the same object, not an equal one: equals is a deep walk
  public boolean lastBuilt(ServiceProfile p) {
    return p == lastBuilt;
  }

  /** {@code stored.equals(callSite(e))}, without building the string: most events repeat it. */
  static boolean sameCallSite(String stored, Event e) {
    String cls = e.getCallSite().getClassName();
    if (cls.isEmpty()) {
      return stored.isEmpty();
    }
    String method = e.getCallSite().getMethodName();
    return stored.length() == cls.length() + 1 + method.length()
        && stored.startsWith(cls)
        && stored.charAt(cls.length()) == '.'
        && stored.endsWith(method);
  }

  private static String callSite(Event e) {
    return e.getCallSite().getClassName().isEmpty()
        ? ""
        : e.getCallSite().getClassName() + "." + e.getCallSite().getMethodName();
  }
}
