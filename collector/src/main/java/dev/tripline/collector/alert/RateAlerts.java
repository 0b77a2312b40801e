package dev.tripline.collector.alert;

import dev.tripline.collector.detect.RateModel;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.Event;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import java.time.Duration;
import java.util.Locale;

/** Builds RATE_ANOMALY alerts: one per service and feature, folded like any other. */
public final class RateAlerts {
  private RateAlerts() {}

  public static Alert of(
      ServiceProfile profile, RateModel model, RateModel.Verdict v, Duration window, long now) {
    String feature = v.feature().label();
    String title =
        String.format(
            "Rate anomaly: %.0f %s in %s (learned at most %.0f)",
            v.value(),
            feature,
            window.toString().substring(2).toLowerCase(Locale.ROOT),
            v.learnedMax());
    AgentIdentity agent =
        profile.getInstancesMap().values().stream()
            .map(InstanceSeen::getAgent)
            .findFirst()
            .orElse(AgentIdentity.newBuilder().setService(profile.getService()).build());
    return Alert.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setId(
            Alerts.id(
                profile.getService(),
                AlertReason.RATE_ANOMALY,
                "rate|" + feature,
                Event.getDefaultInstance()))
        .setTimeMs(now)
        .setLastSeenMs(now)
        .setService(profile.getService())
        .addAllInstances(profile.getInstancesMap().keySet())
        .setReason(AlertReason.RATE_ANOMALY)
        .setSeverity(model.confident(v) ? Severity.HIGH : Severity.MEDIUM)
        .setTitle(title)
        .setDescription(
            title
                + ". The value is far beyond every window seen while the profile was learning; "
                + "the isolation forest trained on those windows scores it "
                + String.format("%.2f", v.score())
                + " (threshold for high severity "
                + model
                + ").")
        .setAgent(agent)
        .setNormalizedTarget("rate|" + feature)
        .setRule("rate:" + feature.replace(' ', '-'))
        .setMitre(v.feature().mitre())
        .setScore(v.score())
        .setCount(1)
        .setContext(Alerts.context(profile, v.feature().kind(), now))
        .setState(AlertState.OPEN)
        .build();
  }
}
