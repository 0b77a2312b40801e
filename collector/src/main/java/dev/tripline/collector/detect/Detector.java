package dev.tripline.collector.detect;

import dev.tripline.collector.alert.Alerts;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.Event;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileEntryOrBuilder;
import dev.tripline.model.ProfileState;
import dev.tripline.model.judge.Normalizer;
import java.util.HashMap;
import org.jspecify.annotations.Nullable;

/**
 * The per-event decision, free of Kafka: known-bad alerts always (never learned); a known behaviour
 * is counted, and its code owner learned while LEARNING or, once MONITORING, an owner it never had
 * raises NEW_CODE_PATH; an unknown behaviour is learned while LEARNING, else alerts as NEW_*. Not
 * thread-safe: one per stream processor.
 */
public final class Detector {
  private static final int OWNER_MEMO = 4_096;
  private final Classifier classifier;
  private final boolean codeOwners;
  private final HashMap<String, String> ownerMemo =
      new HashMap<>(); // a Detector serves one stream task (one thread)

  public Detector(Classifier classifier, boolean codeOwners) {
    this.classifier = classifier;
    this.codeOwners = codeOwners;
  }

  /**
   * What one event did to the profile. {@code alert}: raise it (known-bad, NEW_CODE_PATH); {@code
   * newBehaviour}: a NEW_* alert the caller raises within its per-kind bound; {@code learned}: what
   * learning did when the profile was full (null when added or not learning).
   */
  public record Verdict(
      @Nullable Alert alert,
      @Nullable Alert newBehaviour,
      Profiles.@Nullable Learned learned,
      String key,
      boolean graced) {
    public Verdict(
        @Nullable Alert alert,
        @Nullable Alert newBehaviour,
        Profiles.@Nullable Learned learned,
        String key) {
      this(alert, newBehaviour, learned, key, false);
    }

    /** Nothing to raise or report (its key is not needed). */
    static final Verdict NONE = new Verdict(null, null, null, "");

    /** The alert this verdict asks for, of either kind, or null. */
    public @Nullable Alert any() {
      return alert != null ? alert : newBehaviour;
    }
  }

  /** Applies one event to the profile and says what to raise or report. */
  public Verdict judge(Profiles profile, AgentIdentity agent, Event e, long now) {
    return judge(profile, agent, e, now, false);
  }

  /**
   * {@code versionGrace}: the event comes from a new version's start-up ({@link VersionGrace}): a
   * new behaviour is learned as while LEARNING ({@code graced}), never a known-bad one.
   */
  public Verdict judge(
      Profiles profile, AgentIdentity agent, Event e, long now, boolean versionGrace) {
    Classifier.Classified c = classifier.classify(e);
    String key = c.key();
    // the entry, or a generalised one standing for it (a view: read now, not kept)
    ProfileEntryOrBuilder known = profile.known(key);
    if (c.rule().isPresent() && (known == null || Profiles.LEARNED.equals(known.getOrigin()))) {
      // Known-bad is never learned as normal; only an analyst's explicit accept silences it.
      return new Verdict(
          Alerts.knownBad(profile.builder().build(), agent, e, c.rule().get(), now),
          null,
          null,
          key);
    }
    if (known != null) {
      ProfileEntryOrBuilder counted = profile.touch(known.getKey(), e, now);
      Alert codePath = codeOwner(profile, agent, e, counted, now);
      return codePath == null ? Verdict.NONE : new Verdict(codePath, null, null, key);
    }
    if (profile.state() == ProfileState.LEARNING || versionGrace) {
      Profiles.Learned learned = profile.learn(key, e, now);
      if (learned != Profiles.Learned.ADDED) return new Verdict(null, null, learned, key);
      return versionGrace ? new Verdict(null, null, null, key, true) : Verdict.NONE;
    }
    if (Profiles.isListing(e) && profile.usesFilesIn(Normalizer.targetOf(key))) {
      // a directory whose files the service already uses, listed (a log rollover, a cache sweep):
      // known, and learned so it is counted from now on (a known-bad listing alerted above)
      Profiles.Learned learned = profile.learn(key, e, now);
      return learned == Profiles.Learned.ADDED
          ? Verdict.NONE
          : new Verdict(null, null, learned, key);
    }
    return new Verdict(
        null, Alerts.newBehaviour(profile.builder().build(), agent, e, now), null, key);
  }

  /**
   * For a known behaviour (already counted): learns its code owner while LEARNING, or returns
   * NEW_CODE_PATH when, once MONITORING, code that never did it does it now; else null.
   */
  public @Nullable Alert codeOwner(
      Profiles profile, AgentIdentity agent, Event e, ProfileEntryOrBuilder known, long now) {
    String owner = owner(e);
    if (CodeOwner.known(known, owner)) {
      return null;
    }
    // Learning, or an entry from before owners were kept: this code is part of normal.
    if (profile.state() == ProfileState.LEARNING || known.getCodeOwnersCount() == 0) {
      profile.addOwner(known.getKey(), owner);
      return null;
    }
    return codeOwners
        ? Alerts.newCodePath(profile.builder().build(), agent, e, message(known), owner, now)
        : null;
  }

  /** The entry as a message: only when an alert quotes it. */
  private static ProfileEntry message(ProfileEntryOrBuilder entry) {
    return entry instanceof ProfileEntry.Builder b ? b.build() : (ProfileEntry) entry;
  }

  /** Per-thread memo in front of the shared cache: a processor sees the same few jars all day. */
  private String owner(Event e) {
    String jar = e.getCallSite().getJarName();
    String basis = CodeOwner.isClassDirectory(jar) ? e.getCallSite().getClassName() : jar;
    String owner = ownerMemo.get(basis);
    if (owner == null) {
      if (ownerMemo.size() >= OWNER_MEMO) ownerMemo.clear();
      owner = classifier.owner(e);
      ownerMemo.put(basis, owner);
    }
    return owner;
  }
}
