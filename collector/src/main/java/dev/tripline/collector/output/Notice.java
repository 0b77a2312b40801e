package dev.tripline.collector.output;

import dev.tripline.model.Alert;

/**
 * One thing to tell an output: an alert raised, an alert republished (a folded repeat, a reopen),
 * an alert an analyst closed, or a test.
 */
public record Notice(Kind kind, Alert alert) {
  public enum Kind {
    /** First publication of the alert. */
    TRIGGER,
    /** The alert again (its count crossed 10, 100…, or new evidence reopened it). */
    UPDATE,
    /** An analyst acknowledged or accepted it (PagerDuty resolves the incident). */
    RESOLVE,
    /** {@code POST /api/outputs/{name}/test}. */
    TEST
  }

  /**
   * Trigger or update, from the alert itself: its first publication was raised and last seen at the
   * same moment, and never reopened (its count may be above 1 already: the agent folds too).
   */
  public static Notice of(Alert alert) {
    boolean repeat = alert.getLastSeenMs() > alert.getTimeMs() || alert.getReopened() > 0;
    return new Notice(repeat ? Kind.UPDATE : Kind.TRIGGER, alert);
  }
}
