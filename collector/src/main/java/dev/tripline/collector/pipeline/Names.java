package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;

/** Names of the topology's nodes, stores and internal topics. */
final class Names {
  static final String EVENTS_SOURCE = "events";
  static final String ACTIONS_SOURCE = "actions";
  static final String PARSE_EVENTS = "parse-events";
  static final String PARSE_ACTIONS = "parse-actions";
  static final String DETECT = "detect";
  static final String ALERTS_SINK = "alerts-out";
  static final String ALERTS_JSON_SINK = "alerts-json-out";
  static final String DEAD_LETTER_SINK = "dead-letter-out";
  static final String ALERT_VIEW_SINK = "alert-view-out";
  static final String PROFILE_VIEW_SINK = "profile-view-out";
  static final String AUDIT_SINK = "audit-out";

  /** Changelogged state of the detection task: profiles by service, alerts by id. */
  static final String PROFILES_STORE = "profiles";

  static final String ALERTS_STORE = "alerts";

  /** Global, read-only copies every instance can answer analyst queries from. */
  static final String ALERT_VIEW_STORE = "alert-view";

  static final String PROFILE_VIEW_STORE = "profile-view";
  static final String AUDIT_STORE = "audit-view";

  private Names() {}

  static String alertViewTopic(CollectorConfig c) {
    return c.get(CollectorKeys.APPLICATION_ID) + ".alert-view";
  }

  static String profileViewTopic(CollectorConfig c) {
    return c.get(CollectorKeys.APPLICATION_ID) + ".profile-view";
  }

  static String auditTopic(CollectorConfig c) {
    return c.get(CollectorKeys.APPLICATION_ID) + ".audit";
  }
}
