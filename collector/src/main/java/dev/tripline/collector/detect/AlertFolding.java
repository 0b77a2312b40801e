package dev.tripline.collector.detect;

import dev.tripline.model.Alert;

/**
 * Repeats of one alert fold into its count instead of being re-sent: a known alert is published
 * again only when its count crosses 10, 100, 1000…, so a SIEM sees that it goes on without a flood.
 */
public final class AlertFolding {
  private AlertFolding() {}

  /** What to store, whether to publish it, and whether it is a new alert. */
  public record Folded(Alert stored, boolean publish, boolean fresh) {}

  /**
   * Folds {@code fresh} into {@code existing} (null when the alert is new), keeping at most {@code
   * maxInstances} instances.
   */
  public static Folded fold(Alert existing, Alert fresh, int maxInstances) {
    if (existing == null) {
      return new Folded(fresh, true, true);
    }
    long before = existing.getCount();
    long after = before + fresh.getCount();
    Alert.Builder b = existing.toBuilder().setCount(after).setLastSeenMs(fresh.getLastSeenMs());
    for (String instance : fresh.getInstancesList()) {
      if (b.getInstancesCount() < maxInstances && !b.getInstancesList().contains(instance))
        b.addInstances(instance);
    }
    return new Folded(b.build(), crossesPowerOfTen(before, after), false);
  }

  static boolean crossesPowerOfTen(long before, long after) {
    for (long t = 10; t > 0 && t <= after; t *= 10) {
      if (before < t) return true;
    }
    return false;
  }
}
