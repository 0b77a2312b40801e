package dev.tripline.collector.kind;

import dev.tripline.model.EventKind;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.judge.Mitre;

/**
 * The volumes {@code RateModel} counts per window, each with the ATT&amp;CK technique its {@code
 * RATE_ANOMALY} carries and the kind whose profile the alert's context shows. Which kinds count
 * towards a feature is their {@link KindRow#rateFeature()}.
 *
 * <p>The order is the order of a stored {@code RateWindow}'s features: append a new feature at the
 * end, never reorder or remove one (a learned history would then be read against the wrong
 * features, or skipped as of another length).
 */
public enum RateFeature {
  CONNECTS("connects", Mitre.EXFILTRATION_OVER_C2, EventKind.NET_CONNECT),
  /** Distinct peers of the connects: counted from them, no kind counts towards it directly. */
  DISTINCT_PEERS("distinct peers", Mitre.NETWORK_SERVICE_DISCOVERY, EventKind.NET_CONNECT),
  FILE_READS("file reads", Mitre.DATA_FROM_LOCAL_SYSTEM, EventKind.FILE_READ),
  FILE_WRITES("file writes", Mitre.DATA_FROM_LOCAL_SYSTEM, EventKind.FILE_WRITE),
  SPAWNS("spawns", Mitre.COMMAND_INTERPRETER, EventKind.PROCESS_SPAWN),
  DNS_LOOKUPS("dns lookups", Mitre.DATA_FROM_LOCAL_SYSTEM, EventKind.DNS_LOOKUP);

  /** How many features a window counts (the length of a stored window's feature list). */
  public static final int COUNT = values().length;

  private final String label;
  private final MitreTechnique mitre;
  private final EventKind kind;

  RateFeature(String label, MitreTechnique mitre, EventKind kind) {
    this.label = label;
    this.mitre = mitre;
    this.kind = kind;
  }

  /** As an analyst reads it in a title ("340 distinct peers") and as the alert's target. */
  public String label() {
    return label;
  }

  /** The technique a volume out of line suggests. */
  public MitreTechnique mitre() {
    return mitre;
  }

  /** The kind whose profile the alert's context summarises. */
  public EventKind kind() {
    return kind;
  }
}
