package dev.tripline.collector.detect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.collector.normalize.Normalizer;
import dev.tripline.model.Event;
import java.util.Optional;

/**
 * An event's profile key and known-bad verdict, remembered per raw target. Both are regex work
 * that depends on the target alone, and a fleet repeats the same few thousand targets all day:
 * measured, this took a third of the collector's CPU before it was cached (docs/benchmarks.md).
 */
public final class Classifier {
  /** What the detector needs to know of an event's target. */
  public record Classified(String key, Optional<KnownBadRules.Rule> rule) {}

  private final KnownBadRules rules;
  private final Cache<String, Classified> cache;

  public Classifier(KnownBadRules rules, long maxTargets) {
    this.rules = rules;
    this.cache = Caffeine.newBuilder().maximumSize(maxTargets).build();
  }

  public Classified classify(Event e) {
    return cache.get(rawTarget(e), k -> new Classified(Normalizer.key(e), rules.match(e)));
  }

  /** Every field {@link Normalizer#key} and {@link KnownBadRules#match} read, and nothing else. */
  static String rawTarget(Event e) {
    StringBuilder b = new StringBuilder(64).append(e.getKindValue()).append('\u0000');
    switch (e.getTargetCase()) {
      case NETWORK -> b.append(e.getNetwork().getHost()).append('\u0000').append(e.getNetwork().getIp()).append('\u0000')
          .append(e.getNetwork().getPort());
      case DNS -> b.append(e.getDns().getQuery());
      case FILE -> b.append(e.getFile().getPath()).append('\u0000').append(e.getFile().getNewPath());
      case PROCESS -> {
        b.append(e.getProcess().getExecutable());
        for (String arg : e.getProcess().getArgvList()) {
          b.append('\u0000').append(arg);
        }
      }
      default -> { }
    }
    return b.toString();
  }
}
