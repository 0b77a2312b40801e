package dev.tripline.collector.protect;

import com.google.protobuf.CodedOutputStream;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.judge.KindShapes;
import dev.tripline.model.judge.Normalizer;
import dev.tripline.model.protect.PolicyReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The allow list a policy carries: for a MONITORING service with protection on, the profile's keys
 * of the enforced kinds' families (exact and generalised apart: a generalised entry is a pattern),
 * bounded so the record stays under {@link PolicyReader#MAX_RECORD_BYTES}. A family that does not
 * fit (too many keys, a key too long) is left out whole and named in {@code truncated_kinds}: the
 * judge then fails open for it rather than refuse on a partial list. Smallest families first, so a
 * huge file-read list never crowds out the spawns and connects.
 */
final class AllowLists {
  /** Bytes of keys a record may carry: the rest of the reader's cap is the policy itself. */
  static final int MAX_KEY_BYTES = PolicyReader.MAX_RECORD_BYTES - 64 * 1024;

  private AllowLists() {}

  /** {@code b} with the profile's state and allow list (replacing any it had). */
  static ProtectionPolicy.Builder fill(ProtectionPolicy.Builder b, @Nullable ServiceProfile p) {
    b.clearAllowed().clearAllowedGeneralized().clearTruncatedKinds();
    b.setProfileState(p == null ? ProfileState.PROFILE_STATE_UNSPECIFIED : p.getState());
    boolean on = b.getMode() == ProtectionMode.DRY_RUN || b.getMode() == ProtectionMode.BLOCK;
    if (p == null || !on || p.getState() != ProfileState.MONITORING) {
      return b; // only a MONITORING service's new behaviour is judged
    }
    // family -> the enforced kinds filed under it, in the policy's order
    Map<String, List<EventKind>> families = new LinkedHashMap<>();
    for (EventKind k : b.getKindsList()) {
      families.computeIfAbsent(KindShapes.profileFamily(k), f -> new ArrayList<>()).add(k);
    }
    List<Family> lists = new ArrayList<>();
    for (Map.Entry<String, List<EventKind>> f : families.entrySet()) {
      lists.add(new Family(f.getValue()));
    }
    for (ProfileEntry en : p.getEntriesList()) {
      for (Family f : lists) {
        if (Normalizer.familyOf(en.getKey()).equals(KindShapes.profileFamily(f.kinds.get(0)))) {
          f.add(en);
        }
      }
    }
    lists.sort(Comparator.comparingLong((Family f) -> f.bytes).thenComparing(f -> f.kinds.get(0)));
    long bytes = 0;
    int keys = 0;
    for (Family f : lists) {
      int n = f.exact.size() + f.generalized.size();
      if (f.tooLong
          || keys + n > PolicyReader.MAX_ALLOWED_KEYS
          || bytes + f.bytes > MAX_KEY_BYTES) {
        b.addAllTruncatedKinds(f.kinds);
        continue;
      }
      b.addAllAllowed(f.exact).addAllAllowedGeneralized(f.generalized);
      keys += n;
      bytes += f.bytes;
    }
    return b;
  }

  /** True when two policies carry the same state and allow list (nothing to re-issue for). */
  static boolean sameList(ProtectionPolicy a, ProtectionPolicy b) {
    return a.getProfileState() == b.getProfileState()
        && a.getAllowedList().equals(b.getAllowedList())
        && a.getAllowedGeneralizedList().equals(b.getAllowedGeneralizedList())
        && a.getTruncatedKindsList().equals(b.getTruncatedKindsList());
  }

  /** One family's keys, sorted (the same profile always gives the same record). */
  private static final class Family {
    final List<EventKind> kinds;
    final TreeSet<String> exact = new TreeSet<>();
    final TreeSet<String> generalized = new TreeSet<>();
    long bytes;
    boolean tooLong;

    Family(List<EventKind> kinds) {
      this.kinds = kinds;
    }

    void add(ProfileEntry en) {
      String key = en.getKey();
      if (key.length() > PolicyReader.MAX_KEY_CHARS) {
        tooLong = true;
        return;
      }
      if ((en.getGeneralized() ? generalized : exact).add(key)) {
        bytes += CodedOutputStream.computeStringSize(10, key); // as serialised: tag, length, UTF-8
      }
    }
  }
}
