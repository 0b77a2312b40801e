package dev.tripline.collector.detect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An event's profile key and known-bad verdict, remembered per raw target (and context categories,
 * and call site when rules read it); its code owner, remembered per jar. All are regex work on a
 * few strings, and a fleet repeats the same few thousand of those all day: measured, this took a
 * third of the collector's CPU before it was cached (docs/benchmarks.md).
 */
public final class Classifier {
  /** What the detector needs to know of an event's target. */
  public record Classified(String key, Optional<KnownBadRules.Rule> rule) {}

  private final KnownBadRules rules;

  /** By kind number: whether some rule that can apply to that kind reads the call site. */
  private final boolean[] rulesReadCallSite;

  private final Cache<RawTarget, Classified> cache;
  private final Cache<String, String> owners;

  public Classifier(KnownBadRules rules, long maxTargets) {
    this.rules = rules;
    EventKind[] kinds = EventKind.values();
    this.rulesReadCallSite = new boolean[kinds.length + 1];
    for (EventKind k : kinds) {
      if (k != EventKind.UNRECOGNIZED) {
        rulesReadCallSite[k.getNumber()] = rules.readCallSite(k);
      }
    }
    this.cache = Caffeine.newBuilder().maximumSize(maxTargets).build();
    this.owners = Caffeine.newBuilder().maximumSize(Math.max(1_000, maxTargets / 10)).build();
  }

  public Classified classify(Event e) {
    int kind = e.getKindValue();
    boolean withCallSite = kind < 0 || kind >= rulesReadCallSite.length || rulesReadCallSite[kind];
    return cache.get(
        rawTarget(e, withCallSite), k -> new Classified(Normalizer.key(e), rules.match(e)));
  }

  /**
   * The event's {@link CodeOwner}, remembered per jar (or per class for classes from a directory).
   */
  public String owner(Event e) {
    String jar = e.getCallSite().getJarName();
    String basis = CodeOwner.isClassDirectory(jar) ? e.getCallSite().getClassName() : jar;
    return owners.get(basis, k -> CodeOwner.of(e.getCallSite()));
  }

  static RawTarget rawTarget(Event e) {
    return rawTarget(e, true);
  }

  /**
   * Every field {@link Normalizer#key} and {@link KnownBadRules#match} read, and nothing else: the
   * call-site class and jar only when some rule for the event's kind reads them (of the built-in
   * ones, only the native-library rules, for NATIVE_LOAD), so the key stays as short as the target
   * for the common case.
   */
  static RawTarget rawTarget(Event e, boolean withCallSite) {
    Event.TargetCase target = e.getTargetCase();
    int fields =
        switch (target) {
          case NETWORK -> 6;
          case DNS -> 1;
          case FILE, CODE -> 5;
          case PROCESS -> 3;
          case TARGET_NOT_SET -> 0;
        };
    Object[] parts = new Object[2 + fields + (withCallSite ? 3 : 0) + e.getContextsCount()];
    switch (target) {
      case NETWORK -> {
        var n = e.getNetwork();
        parts[2] = n.getHost();
        parts[3] = n.getIp();
        parts[4] = n.getPort();
        parts[5] = n.getProtocol();
        parts[6] = n.getPath();
        parts[7] = n.getSameFileAs();
      }
      case DNS -> parts[2] = e.getDns().getQuery();
      case FILE -> {
        var f = e.getFile();
        parts[2] = f.getPath();
        parts[3] = f.getNewPath();
        parts[4] = f.getRealPath();
        parts[5] = f.getNewRealPath();
        parts[6] = f.getSameFileAs();
      }
      case PROCESS -> {
        var p = e.getProcess();
        parts[2] = p.getExecutable();
        parts[3] = List.copyOf(p.getArgvList());
        // LD_PRELOAD & co. make a known command another one
        parts[4] = List.copyOf(p.getEnvList());
      }
      case CODE -> {
        var c = e.getCode();
        parts[2] = c.getPath();
        parts[3] = c.getRealPath();
        parts[4] = c.getOrigin();
        parts[5] = c.getClassName();
        parts[6] = c.getWritableDir();
      }
      case TARGET_NOT_SET -> {}
    }
    int i = 2 + fields;
    parts[0] = e.getKindValue();
    // which target the fields belong to, and whether the call site follows: parts never shift
    parts[1] = target.getNumber() * 2 + (withCallSite ? 1 : 0);
    if (withCallSite) {
      parts[i++] = e.getCallSite().getClassName();
      parts[i++] = e.getCallSite().getJarName();
      parts[i++] = e.getCallSite().getArchive();
    }
    for (CodeContext c : e.getContextsList()) {
      parts[i++] = c.getCategory();
    }
    return new RawTarget(parts);
  }

  /**
   * The fields {@link #rawTarget} read, compared one by one: no string is built per event (it was a
   * twentieth of the stream thread's work), and no field can pass for two by holding the separator
   * a joined string would need.
   */
  static final class RawTarget {
    private final Object[] parts;
    private final int hash;

    private RawTarget(Object[] parts) {
      this.parts = parts;
      this.hash = Arrays.hashCode(parts);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RawTarget t && t.hash == hash && Arrays.equals(t.parts, parts);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return Arrays.toString(parts);
    }
  }
}
