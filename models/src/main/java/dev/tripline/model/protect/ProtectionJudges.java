package dev.tripline.model.protect;

import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.judge.KindShapes;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.Normalizer;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The judge a policy makes: the known-bad rules that may block (every profile state), then — for
 * the policy's kinds, only when the policy says the service is MONITORING and carries its allow
 * list — new behaviour outside the learned profile. One implementation for the agent (which
 * enforces) and the collector (which explains and tests it).
 */
public final class ProtectionJudges {
  /**
   * Kinds an agent can refuse at the entry of the hooked method ({@link KindShapes#ENFORCEABLE}).
   */
  public static final Set<EventKind> ENFORCEABLE = KindShapes.ENFORCEABLE;

  /** Longest reason a refusal carries (it ends up in an exception message and an alert). */
  static final int MAX_REASON = 200;

  private ProtectionJudges() {}

  /**
   * The judge of {@code policy}: {@link ProtectionJudge#ALLOW_ALL} when its mode is off (or
   * unknown: never guessed at); else the built-in known-bad rules that may block, then — only when
   * the policy says the service is MONITORING — new behaviour of its enforced kinds outside its
   * allow list (a kind whose list was truncated is not judged: fail open for it).
   */
  public static ProtectionJudge of(ProtectionPolicy policy) {
    if (policy.getMode() != ProtectionMode.DRY_RUN && policy.getMode() != ProtectionMode.BLOCK) {
      return ProtectionJudge.ALLOW_ALL;
    }
    KnownBadJudge knownBad = new KnownBadJudge(BuiltIn.RULES);
    if (policy.getProfileState() != ProfileState.MONITORING) {
      return knownBad;
    }
    Set<EventKind> kinds = AllowList.judged(policy);
    if (kinds.isEmpty()) {
      return knownBad;
    }
    return new ProfileJudge(knownBad, AllowList.of(policy), kinds);
  }

  /** The built-in rules, parsed once, when a judge is first made (never on a hooked call). */
  private static final class BuiltIn {
    static final KnownBadRules RULES = KnownBadRules.load("");
  }

  /** Refuses what a known-bad rule that may block the candidate's kind says. */
  static final class KnownBadJudge implements ProtectionJudge {
    private final KnownBadRules rules;

    KnownBadJudge(KnownBadRules rules) {
      this.rules = rules;
    }

    @Override
    public @Nullable Refusal judge(Event candidate) {
      try {
        if (!ENFORCEABLE.contains(candidate.getKind())) return null;
        KnownBadRules.Rule rule = rules.blocking(candidate);
        return rule == null ? null : new Refusal(rule.id(), true, reason(rule, candidate));
      } catch (RuntimeException e) {
        return null; // a judge never throws: an unjudgeable call goes ahead (fail open)
      }
    }

    /** The built-in rules that may block: what they read of the stack for this target. */
    @Override
    public KnownBadRules.StackReads reads(Event candidate) {
      try {
        return rules.blockingReads(candidate);
      } catch (RuntimeException e) {
        return KnownBadRules.StackReads.CALL_SITE; // unsure: nothing cached
      }
    }

    @Override
    public boolean contextsNeedAnyOf(EventKind kind, Set<String> categories) {
      try {
        return rules.blockingContextsNeedAnyOf(kind, categories);
      } catch (RuntimeException e) {
        return false; // unsure: walk
      }
    }

    private static String reason(KnownBadRules.Rule rule, Event candidate) {
      CodeContext context = rule.contextOf(candidate).orElse(null);
      String why =
          context == null
              ? rule.title()
              : rule.title() + " (" + context.getCategory() + ": " + context.getFrame() + ")";
      return cut(why);
    }
  }

  /** Known-bad first (every state), then new behaviour of the judged kinds outside the profile. */
  static final class ProfileJudge implements ProtectionJudge {
    private final KnownBadJudge knownBad;
    private final AllowList allowed;
    private final Set<EventKind> kinds;

    ProfileJudge(KnownBadJudge knownBad, AllowList allowed, Set<EventKind> kinds) {
      this.knownBad = knownBad;
      this.allowed = allowed;
      this.kinds = kinds;
    }

    @Override
    public @Nullable Refusal judge(Event candidate) {
      Refusal bad = knownBad.judge(candidate);
      if (bad != null) return bad;
      try {
        EventKind kind = candidate.getKind();
        // A directory listing is known when the service uses files in it (the collector's
        // detector); the list holds only the enforced kinds' keys, so listings are never refused.
        if (!kinds.contains(kind) || isListing(candidate)) return null;
        String key = Normalizer.key(candidate);
        if (allowed.knows(key)) return null;
        return new Refusal(
            "new-behaviour:" + kind.name(),
            false,
            cut("new behaviour outside the learned profile: " + Normalizer.targetOf(key)));
      } catch (RuntimeException e) {
        return null; // a judge never throws: an unjudgeable call goes ahead (fail open)
      }
    }

    /**
     * The profile's part reads the target alone (its normalised key): the known-bad part decides.
     */
    @Override
    public KnownBadRules.StackReads reads(Event candidate) {
      return knownBad.reads(candidate);
    }

    /** The profile's part reads the target alone: the known-bad part decides. */
    @Override
    public boolean contextsNeedAnyOf(EventKind kind, Set<String> categories) {
      return knownBad.contextsNeedAnyOf(kind, categories);
    }

    private static boolean isListing(Event e) {
      return e.getKind() == EventKind.FILE_READ && e.hasFile() && e.getFile().getDirectory();
    }
  }

  static String cut(String s) {
    return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON) + "…";
  }
}
