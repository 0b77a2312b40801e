package dev.tripline.model.protect;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.judge.Generalizer;
import dev.tripline.model.judge.KindShapes;
import dev.tripline.model.judge.Normalizer;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The learned profile a policy carries for its enforced kinds, asked as the collector's detector
 * asks its profile: a key is known when the profile holds it, or holds a generalised entry standing
 * for it (one of {@link Generalizer#candidates} of its target). Keys are {@link Normalizer#key}s:
 * the collector's own normalisation, never a second copy.
 *
 * <p>A kind the collector left out because its list did not fit ({@code truncated_kinds}) is never
 * judged: refusing on a partial list would refuse normal behaviour.
 */
public final class AllowList {
  private final Set<String> exact;
  private final Set<String> generalized;
  private final Set<String> generalizedFamilies = new HashSet<>();
  private final Set<String> truncatedFamilies = new HashSet<>();

  private AllowList(ProtectionPolicy policy) {
    this.exact = new HashSet<>(policy.getAllowedList());
    this.generalized = new HashSet<>(policy.getAllowedGeneralizedList());
    for (String key : generalized) generalizedFamilies.add(Normalizer.familyOf(key));
    for (EventKind k : policy.getTruncatedKindsList()) {
      truncatedFamilies.add(KindShapes.profileFamily(k));
    }
  }

  /** The allow list {@code policy} carries. */
  public static AllowList of(ProtectionPolicy policy) {
    return new AllowList(policy);
  }

  /**
   * The kinds of {@code policy} whose new behaviour may be refused: its enforced kinds that an
   * agent can refuse and whose list is complete.
   */
  static Set<EventKind> judged(ProtectionPolicy policy) {
    Set<EventKind> out = EnumSet.noneOf(EventKind.class);
    AllowList list = of(policy);
    for (EventKind k : policy.getKindsList()) {
      if (KindShapes.ENFORCEABLE.contains(k) && !list.truncated(k)) out.add(k);
    }
    return out;
  }

  /** True when the collector left this kind's list out (too large): it is not judged. */
  public boolean truncated(EventKind kind) {
    return truncatedFamilies.contains(KindShapes.profileFamily(kind));
  }

  /** True when the profile knows this behaviour (a profile key, {@link Normalizer#key}). */
  public boolean knows(String key) {
    if (exact.contains(key)) return true;
    String family = Normalizer.familyOf(key);
    if (!generalizedFamilies.contains(family)) return false;
    for (String pattern : Generalizer.candidates(family, Normalizer.targetOf(key))) {
      if (generalized.contains(family + "|" + pattern)) return true;
    }
    return false;
  }

  /** True when the profile knows what {@code e} does. */
  public boolean knows(Event e) {
    return knows(Normalizer.key(e));
  }

  /** Keys held, exact and generalised. */
  public int size() {
    return exact.size() + generalized.size();
  }
}
