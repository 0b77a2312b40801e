package dev.tripline.model;

/** Names every part of Tripline agrees on: the schema version and the default topic names. */
public final class Schema {
  /** Value of {@code schema_version} on every top-level message this build writes. */
  public static final int VERSION = 1;

  /** Agent event batches (protobuf {@link EventBatch}), keyed by service. */
  public static final String EVENTS_TOPIC = "tripline.events";

  /** Alerts (protobuf {@link Alert}), keyed by service. */
  public static final String ALERTS_TOPIC = "tripline.alerts";

  /** Alerts as one JSON document each (OCSF Detection Finding), keyed by service. */
  public static final String ALERTS_JSON_TOPIC = "tripline.alerts.json";

  /** Records the collector could not parse, unchanged, with the reason in headers. */
  public static final String DEAD_LETTER_TOPIC = "tripline.deadletter";

  /** Analyst actions ({@link AnalystAction}), keyed by service. */
  public static final String ACTIONS_TOPIC = "tripline.actions";

  /**
   * Prefix of the per-service protection policy topics ({@link ProtectionPolicy}, compacted, keyed
   * by service): {@code tripline.policy.<service>}, the service name mapped as for its events
   * topic.
   */
  public static final String POLICY_TOPIC = "tripline.policy";

  private Schema() {}
}
