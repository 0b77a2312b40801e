package dev.tripline.collector.detect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.Normalizer;
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

  private final Cache<String, Classified> cache;
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

  static String rawTarget(Event e) {
    return rawTarget(e, true);
  }

  /**
   * Every field {@link Normalizer#key} and {@link KnownBadRules#match} read, and nothing else: the
   * call-site class and jar only when some rule for the event's kind reads them (of the built-in
   * ones, only the native-library rules, for NATIVE_LOAD), so the key stays as short as the target
   * for the common case.
   */
  static String rawTarget(Event e, boolean withCallSite) {
    StringBuilder b = new StringBuilder(96).append(e.getKindValue()).append('\u0000');
    switch (e.getTargetCase()) {
      case NETWORK ->
          b.append(e.getNetwork().getHost())
              .append('\u0000')
              .append(e.getNetwork().getIp())
              .append('\u0000')
              .append(e.getNetwork().getPort())
              .append('\u0000')
              .append(e.getNetwork().getProtocol())
              .append('\u0000')
              .append(e.getNetwork().getPath())
              .append('\u0000')
              .append(e.getNetwork().getSameFileAs());
      case DNS -> b.append(e.getDns().getQuery());
      case FILE ->
          b.append(e.getFile().getPath())
              .append('\u0000')
              .append(e.getFile().getNewPath())
              .append('\u0000')
              .append(e.getFile().getRealPath())
              .append('\u0000')
              .append(e.getFile().getNewRealPath())
              .append('\u0000')
              .append(e.getFile().getSameFileAs());
      case PROCESS -> {
        b.append(e.getProcess().getExecutable());
        for (String arg : e.getProcess().getArgvList()) {
          b.append('\u0000').append(arg);
        }
        // LD_PRELOAD & co. make a known command another one
        for (String env : e.getProcess().getEnvList()) {
          b.append('\u0002').append(env);
        }
      }
      case CODE ->
          b.append(e.getCode().getPath())
              .append('\u0000')
              .append(e.getCode().getRealPath())
              .append('\u0000')
              .append(e.getCode().getOrigin())
              .append('\u0000')
              .append(e.getCode().getClassName())
              .append('\u0000')
              .append(e.getCode().getWritableDir());
      case TARGET_NOT_SET -> {}
    }
    if (withCallSite) {
      b.append('\u0001')
          .append(e.getCallSite().getClassName())
          .append('\u0000')
          .append(e.getCallSite().getJarName())
          .append('\u0000')
          .append(e.getCallSite().getArchive());
    }
    for (CodeContext c : e.getContextsList()) {
      b.append('\u0001').append(c.getCategory());
    }
    return b.toString();
  }
}
