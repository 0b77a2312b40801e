package dev.tripline.collector.kind;

import dev.tripline.model.AlertReason;
import dev.tripline.model.EventKind;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.Severity;
import org.jspecify.annotations.Nullable;

/**
 * Everything the collector knows about one {@link EventKind}: one row of {@link KindTable}.
 *
 * @param kind the kind this row describes
 * @param family network, DNS, file or process
 * @param profileKind the kind the profile files it under (a datagram "talks to" like a connect, a
 *     rename is a write)
 * @param target how its target is normalised for the profile and rendered for an analyst
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
    EventKind profileKind,
    TargetShape target,
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

  /** How a kind's target becomes a profile key and a line an analyst reads. */
  public enum TargetShape {
    /** host:port of a peer we talk to (or a Unix socket path). */
    ENDPOINT,
    /** the local port a server uses; peers churn (or a Unix socket path). */
    LOCAL_PORT,
    /** the name looked up. */
    DNS_NAME,
    /** the path the kernel touched. */
    PATH,
    /** the destination of a move, else its source. */
    RENAMED_PATH,
    /** the argv shape. */
    COMMAND,
    /**
     * where code came from: a library's or jar's path (the real one), or a class with no origin on
     * disk by its origin and name.
     */
    CODE,
    /** no target (an event of no known kind). */
    NONE
  }
}
