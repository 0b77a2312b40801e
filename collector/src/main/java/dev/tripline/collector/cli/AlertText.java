package dev.tripline.collector.cli;

import dev.tripline.collector.alert.Alerts;
import dev.tripline.collector.alert.Dispositions;
import dev.tripline.collector.alert.RequestText;
import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.judge.Normalizer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** An alert as an analyst reads it in a terminal: what, where in the code, against what normal. */
public final class AlertText {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private AlertText() {}

  /** A multi-line block for one alert. */
  public static String block(Alert a) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "  [%s] %s  %s — %s%n",
            a.getSeverity(), a.getReason(), t(a.getService()), t(a.getTitle())));
    if (Dispositions.shown(a.getDisposition())) {
      sb.append(String.format("     protection %s%n", Dispositions.label(a.getDisposition())));
    }
    sb.append(
        String.format(
            "     when       %s   seen %d×, instances: %s%n",
            TIME.format(Instant.ofEpochMilli(a.getTimeMs())),
            Math.max(1, a.getCount()),
            t(String.join(", ", a.getInstancesList()))));
    if (a.getEvent().hasCallSite()) {
      sb.append(String.format("     call site  %s%n", t(callSite(a.getEvent().getCallSite()))));
    }
    if (a.getEvent().hasFile() && !Alerts.requestedPath(a.getEvent().getFile()).isEmpty()) {
      sb.append(
          String.format(
              "     target     %s (requested as %s)%n",
              t(Normalizer.judgedPath(a.getEvent().getFile())),
              t(Alerts.requestedPath(a.getEvent().getFile()))));
    }
    if (a.hasRequest()) {
      sb.append(String.format("     request    %s%n", t(RequestText.during(a.getRequest()))));
    }
    for (CodeContext c : a.getEvent().getContextsList()) {
      sb.append(String.format("     context    %s: %s%n", t(c.getCategory()), t(Alerts.frame(c))));
    }
    if (a.hasContext() && !a.getContext().getSummary().isEmpty()) {
      sb.append(
          String.format(
              "     profile    %s — %s%n",
              a.getContext().getState(), t(a.getContext().getSummary())));
    }
    if (a.hasMitre() && !a.getMitre().getId().isEmpty()) {
      sb.append(
          String.format(
              "     MITRE      %s %s (%s)%n",
              a.getMitre().getId(), a.getMitre().getName(), a.getMitre().getTactic()));
    }
    sb.append(String.format("     alert id   %s%n", t(a.getId())));
    return sb.toString();
  }

  /** One line for tables: time, severity, service, reason, title, call site. */
  public static String row(Alert a) {
    String site = a.getEvent().hasCallSite() ? callSite(a.getEvent().getCallSite()) : "";
    return String.format(
        "%s  %-8s %-16s %-15s %s%s  @ %s",
        TIME.format(Instant.ofEpochMilli(a.getTimeMs())),
        a.getSeverity(),
        t(a.getService()),
        a.getReason(),
        t(a.getTitle()),
        Dispositions.shown(a.getDisposition())
            ? " [" + Dispositions.label(a.getDisposition()) + "]"
            : "",
        t(site));
  }

  /**
   * Attacker-chosen text (paths, argv, hosts, class names) is printed with control characters
   * escaped.
   */
  private static String t(String value) {
    return TerminalSafe.text(value);
  }

  /**
   * {@code com.acme.Repo.load(Repo.java:42) in acme-1.0.jar (app.jar); handed off via executor}.
   */
  public static String callSite(CallSite c) {
    String where =
        c.getClassName()
            + "."
            + c.getMethodName()
            + "("
            + (c.getSourceFile().isEmpty() ? "?" : c.getSourceFile())
            + (c.getLineNumber() > 0 ? ":" + c.getLineNumber() : "")
            + ")";
    return (c.getJarName().isEmpty()
            ? where
            : where + " in " + Alerts.artifact(c.getJarName(), c.getArchive()))
        + Alerts.handoff(c);
  }
}
