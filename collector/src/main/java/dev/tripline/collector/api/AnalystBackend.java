package dev.tripline.collector.api;

import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the analyst surface (console, REST API, CLI) needs from the detection pipeline. Implemented
 * over the Kafka Streams state stores (interactive queries) and the actions topic.
 */
public interface AnalystBackend {

  /** Alerts matching the query, newest first. */
  List<Alert> alerts(AlertQuery query);

  Optional<Alert> alert(String id);

  /** Every known service's profile, by service name. */
  List<ServiceProfile> profiles();

  Optional<ServiceProfile> profile(String service);

  /**
   * Records an analyst action durably (on the actions topic) and returns once it is written. Its
   * effect on alerts and profiles follows asynchronously, within about a second.
   *
   * @throws NotFoundException when the action names an unknown alert or service
   * @throws IllegalArgumentException when the action is inconsistent (an alert of another service)
   */
  void submit(AnalystAction action);

  /** Recent analyst actions, newest first (the audit trail). */
  List<AnalystAction> actions(int limit);

  /**
   * Whether detection is keeping up: DOWN with the reason when it is stuck (served on {@code
   * /health}).
   */
  default Health health() {
    return Health.UP;
  }

  /** UP, or DOWN with a reason an operator can act on. */
  record Health(boolean up, String reason) {
    public static final Health UP = new Health(true, "");

    public static Health down(String reason) {
      return new Health(false, reason);
    }
  }

  /** Filters for {@link #alerts}; null fields match everything. */
  record AlertQuery(
      @Nullable String service,
      @Nullable Severity minSeverity,
      @Nullable AlertReason reason,
      @Nullable AlertState state,
      int limit) {
    public static AlertQuery all(int limit) {
      return new AlertQuery(null, null, null, null, limit);
    }
  }
}
