package dev.tripline.collector.detect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.collector.normalize.Normalizer;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import java.util.Optional;

/**
 * An event's profile key, known-bad verdict and code owner, remembered per raw target and code.
 * All are regex work that depends on the target, the context frames and the call site only, and a
 * fleet repeats the same few thousand of those all day: measured, this took a third of the
 * collector's CPU before it was cached (docs/benchmarks.md).
 */
public final class Classifier {
  /** What the detector needs to know of an event. */
  public record Classified(String key, Optional<KnownBadRules.Rule> rule, String owner) {
    public Classified(String key, Optional<KnownBadRules.Rule> rule) {
      this(key, rule, "");
    }
  }

  private final KnownBadRules rules;
  private final Cache<String, Classified> cache;

  public Classifier(KnownBadRules rules, long maxTargets) {
    this.rules = rules;
    this.cache = Caffeine.newBuilder().maximumSize(maxTargets).build();
  }

  public Classified classify(Event e) {
    return cache.get(rawTarget(e), k -> new Classified(Normalizer.key(e), rules.match(e), CodeOwner.of(e.getCallSite())));
  }

  /** Every field {@link Normalizer#key}, {@link KnownBadRules#match} and {@link CodeOwner#of} read, and nothing else. */
  static String rawTarget(Event e) {
    StringBuilder b = new StringBuilder(96).append(e.getKindValue()).append('\u0000');
    switch (e.getTargetCase()) {
      case NETWORK -> b.append(e.getNetwork().getHost()).append('\u0000').append(e.getNetwork().getIp()).append('\u0000')
          .append(e.getNetwork().getPort()).append('\u0000').append(e.getNetwork().getProtocol()).append('\u0000')
          .append(e.getNetwork().getPath());
      case DNS -> b.append(e.getDns().getQuery());
      case FILE -> b.append(e.getFile().getPath()).append('\u0000').append(e.getFile().getNewPath()).append('\u0000')
          .append(e.getFile().getRealPath()).append('\u0000').append(e.getFile().getNewRealPath());
      case PROCESS -> {
        b.append(e.getProcess().getExecutable());
        for (String arg : e.getProcess().getArgvList()) {
          b.append('\u0000').append(arg);
        }
      }
      default -> { }
    }
    b.append('\u0001').append(e.getCallSite().getClassName()).append('\u0000').append(e.getCallSite().getJarName());
    for (CodeContext c : e.getContextsList()) {
      b.append('\u0001').append(c.getCategory());
    }
    return b.toString();
  }
}
