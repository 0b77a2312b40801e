package dev.tripline.collector.output;

import dev.tripline.config.InvalidValue;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.Disposition;
import dev.tripline.model.Severity;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Which alerts one output delivers: every condition given must hold (an empty list holds for all).
 * Built from the output's keys; a value that does not parse is an {@link InvalidValue} naming it,
 * so the output is reported broken at start-up instead of silently delivering everything or
 * nothing.
 */
public final class AlertFilter {
  /** A glob longer than this is a mistake (and a regex cost we do not pay). */
  static final int MAX_GLOB_CHARS = 256;

  private final Severity minSeverity;
  private final List<String> services;
  private final Set<AlertReason> reasons;
  private final Set<String> rules;
  private final Set<String> tactics;
  private final Set<Disposition> dispositions;

  private AlertFilter(
      Severity minSeverity,
      List<String> services,
      Set<AlertReason> reasons,
      Set<String> rules,
      Set<String> tactics,
      Set<Disposition> dispositions) {
    this.minSeverity = minSeverity;
    this.services = services;
    this.reasons = reasons;
    this.rules = rules;
    this.tactics = tactics;
    this.dispositions = dispositions;
  }

  /** Everything passes. */
  public static AlertFilter all() {
    return new AlertFilter(
        Severity.SEVERITY_UNSPECIFIED,
        List.of(),
        EnumSet.noneOf(AlertReason.class),
        Set.of(),
        Set.of(),
        EnumSet.noneOf(Disposition.class));
  }

  /**
   * @throws InvalidValue naming the first value that does not parse (key given by the caller)
   */
  public static AlertFilter of(
      String minSeverity,
      List<String> services,
      List<String> reasons,
      List<String> rules,
      List<String> tactics,
      List<String> dispositions) {
    Severity min = Severity.SEVERITY_UNSPECIFIED;
    if (!minSeverity.isBlank()) {
      min = parse(Severity.class, minSeverity, "INFO, LOW, MEDIUM, HIGH or CRITICAL");
      if (min == Severity.SEVERITY_UNSPECIFIED) {
        throw new InvalidValue("INFO, LOW, MEDIUM, HIGH or CRITICAL");
      }
    }
    List<String> globs = new ArrayList<>();
    for (String g : services) {
      globs.add(glob(g));
    }
    Set<AlertReason> rs = EnumSet.noneOf(AlertReason.class);
    for (String r : reasons) {
      AlertReason reason = parse(AlertReason.class, r, "alert reasons such as KNOWN_BAD");
      if (reason == AlertReason.ALERT_REASON_UNSPECIFIED) {
        throw new InvalidValue("alert reasons such as KNOWN_BAD", r);
      }
      rs.add(reason);
    }
    Set<String> ts = new TreeSet<>();
    for (String t : tactics) {
      ts.add(t.toLowerCase(Locale.ROOT));
    }
    Set<Disposition> ds = EnumSet.noneOf(Disposition.class);
    for (String d : dispositions) {
      ds.add(
          d.equalsIgnoreCase("none")
              ? Disposition.DISPOSITION_NONE
              : parse(Disposition.class, d, "none, would_block or blocked"));
    }
    return new AlertFilter(min, List.copyOf(globs), rs, Set.copyOf(rules), ts, ds);
  }

  public boolean matches(Alert a) {
    if (a.getSeverityValue() < minSeverity.getNumber()) {
      return false;
    }
    if (!matchesService(a.getService())) {
      return false;
    }
    if (!reasons.isEmpty() && !reasons.contains(a.getReason())) {
      return false;
    }
    if (!rules.isEmpty() && !rules.contains(a.getRule())) {
      return false;
    }
    if (!tactics.isEmpty()
        && !tactics.contains(a.getMitre().getTactic().toLowerCase(Locale.ROOT))) {
      return false;
    }
    return dispositions.isEmpty() || dispositions.contains(a.getDisposition());
  }

  /** The service condition alone (a PagerDuty resolve knows only the service). */
  public boolean matchesService(String service) {
    if (services.isEmpty()) {
      return true;
    }
    for (String g : services) {
      if (globMatches(g, service)) {
        return true;
      }
    }
    return false;
  }

  /** A glob as given, checked for length. */
  static String glob(String glob) {
    if (glob.length() > MAX_GLOB_CHARS) {
      throw new InvalidValue("service globs of at most " + MAX_GLOB_CHARS + " characters");
    }
    return glob;
  }

  /**
   * {@code shop-*}, {@code ?ay}: {@code *} any run, {@code ?} one character, the rest literal. Two
   * pointers with one back-track point: at most length × glob length steps whatever the service
   * name (an agent chooses it), never a regex's exponential back-tracking.
   */
  static boolean globMatches(String glob, String s) {
    int g = 0;
    int i = 0;
    int star = -1;
    int mark = 0;
    while (i < s.length()) {
      if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == s.charAt(i))) {
        g++;
        i++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = i;
      } else if (star >= 0) {
        g = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String text, String expected) {
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidValue(expected, text);
    }
  }

  /** The conditions set, as configured: {@code min.severity=HIGH services=[shop-*]}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (minSeverity != Severity.SEVERITY_UNSPECIFIED) {
      b.append(" min.severity=").append(minSeverity);
    }
    if (!services.isEmpty()) {
      b.append(" services=").append(services);
    }
    if (!reasons.isEmpty()) {
      b.append(" reasons=").append(reasons);
    }
    if (!rules.isEmpty()) {
      b.append(" rules=").append(rules);
    }
    if (!tactics.isEmpty()) {
      b.append(" tactics=").append(tactics);
    }
    if (!dispositions.isEmpty()) {
      b.append(" dispositions=").append(dispositions);
    }
    return b.length() == 0 ? "all alerts" : b.substring(1);
  }

  /** For messages: {@code null} when the filter lets everything through. */
  @Nullable String describeOrNull() {
    return minSeverity == Severity.SEVERITY_UNSPECIFIED
            && services.isEmpty()
            && reasons.isEmpty()
            && rules.isEmpty()
            && tactics.isEmpty()
            && dispositions.isEmpty()
        ? null
        : toString();
  }
}
