package dev.tripline.collector.kind;

import dev.tripline.model.AlertReason;
import dev.tripline.model.EventKind;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KindShapes;
import dev.tripline.model.judge.TargetShape;
import org.jspecify.annotations.Nullable;

/**
 * Everything the collector knows about one {@link EventKind}: one row of {@link KindTable}. What
 * the judgement needs — the kind the profile files it under and the shape of its target — is the
 * shared {@link KindShapes} (models), read through {@link #profileKind()} and {@link #target()}.
 *
 * @param kind the kind this row describes
 * @param family network, DNS, file or process
 * @param reason the NEW_* reason when a monitored service does it for the first time
 * @param severity that alert's severity
 * @param mitre that alert's ATT&amp;CK technique
 * @param title that alert's title, before the rendered target ("New outbound connection to ")
 * @param normally the profile context's verb ("normally connects to")
 * @param done the kind as a noun phrase before its target ("connection to"), for NEW_CODE_PATH
 *     titles
 * @param rateFeature the rate feature it counts towards, or null
 */
public record KindRow(
    EventKind kind,
    Family family,
    AlertReason reason,
    Severity severity,
    MitreTechnique mitre,
    String title,
    String normally,
    String done,
    @Nullable RateFeature rateFeature) {

  /** The families the agent's capture groups and the console group kinds by. */
  public enum Family {
    NETWORK,
    DNS,
    FILE,
    PROCESS,
    /** Code entering the JVM: native libraries, new code origins (capture word "code"). */
    CODE,
    NONE
  }

  /**
   * The kind the profile files it under (a datagram "talks to" like a connect, a rename is a
   * write).
   */
  public EventKind profileKind() {
    return KindShapes.profileKind(kind);
  }

  /** How its target is normalised for the profile and rendered for an analyst. */
  public TargetShape target() {
    return KindShapes.target(kind);
  }
}
