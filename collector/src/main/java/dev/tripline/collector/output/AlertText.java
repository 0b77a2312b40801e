package dev.tripline.collector.output;

import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;

/** The few human lines every message-style output (Slack, e-mail) shows, from one alert. */
final class AlertText {
  private AlertText() {}

  static String callSite(Alert a) {
    CallSite c = a.getEvent().getCallSite();
    if (c.getClassName().isEmpty()) {
      return "JDK thread (no application frame)";
    }
    return c.getClassName()
        + "."
        + c.getMethodName()
        + ":"
        + c.getLineNumber()
        + (c.getJarName().isEmpty() ? "" : " (" + c.getJarName() + ")");
  }

  static String headline(Notice n) {
    Alert a = n.alert();
    String prefix =
        switch (n.kind()) {
          case TRIGGER -> "";
          case UPDATE ->
              a.getReopened() > 0 ? "[reopened] " : "[still happening, " + a.getCount() + "×] ";
          case RESOLVE -> "[closed] ";
          case TEST -> "[test] ";
        };
    return prefix + a.getSeverity() + " · " + a.getService() + " · " + a.getTitle();
  }

  static String mitre(Alert a) {
    return a.getMitre().getId().isEmpty()
        ? ""
        : a.getMitre().getId()
            + " "
            + a.getMitre().getName()
            + " ("
            + a.getMitre().getTactic()
            + ")";
  }

  /** The console page for alerts, or "" without one. */
  static String link(String consoleUrl) {
    return consoleUrl.isEmpty() ? "" : consoleUrl.replaceAll("/+$", "") + "/#alerts";
  }
}
