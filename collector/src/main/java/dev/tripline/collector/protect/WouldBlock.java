package dev.tripline.collector.protect;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.api.NotFoundException;
import dev.tripline.config.InvalidValue;
import dev.tripline.config.Type;
import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;
import dev.tripline.model.Disposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What block mode would have stopped: a service's {@code WOULD_BLOCK} alerts seen within a window,
 * counted per kind, call site and rule ({@code GET
 * /api/services/{service}/would-block?window=24h}), so an operator switches dry-run to block with
 * evidence. Counts are occurrences (an alert's count of folded repeats); read from the newest
 * {@link #MAX_ALERTS} alerts of the service ({@code truncated} says when there were more).
 */
public final class WouldBlock {
  static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
  static final Duration MAX_WINDOW = Duration.ofDays(30);
  static final int MAX_ALERTS = 10_000;
  private static final Type<Duration> WINDOW = Type.javaDuration(1);

  private WouldBlock() {}

  /** The window a request names ("24h", "15m", "7d"); the default when absent. */
  public static Duration window(@Nullable String text) {
    if (text == null || text.isBlank()) return DEFAULT_WINDOW;
    Duration d;
    try {
      d = WINDOW.parse(text.trim());
    } catch (InvalidValue e) {
      throw new IllegalArgumentException(
          "query parameter 'window' must be " + WINDOW.expected() + " (at most 30d)");
    }
    if (d.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("query parameter 'window' must be at most 30d");
    }
    return d;
  }

  /** The service's would-block evidence over {@code window} ending {@code nowMs}. */
  public static Map<String, Object> view(
      AnalystBackend backend, String service, Duration window, long nowMs) {
    if (backend.profile(service).isEmpty()) {
      throw new NotFoundException("no service named '" + service + "'");
    }
    long since = nowMs - window.toMillis();
    List<Alert> alerts =
        backend.alerts(new AnalystBackend.AlertQuery(service, null, null, null, MAX_ALERTS));
    Map<String, Long> byKind = new HashMap<>();
    Map<String, Long> byCallSite = new HashMap<>();
    Map<String, Long> byRule = new HashMap<>();
    long total = 0;
    int matching = 0;
    for (Alert a : alerts) {
      if (a.getDisposition() != Disposition.WOULD_BLOCK
          || !a.getService().equals(service)
          || Math.max(a.getLastSeenMs(), a.getTimeMs()) < since) {
        continue;
      }
      long n = Math.max(1, a.getCount());
      total += n;
      matching++;
      String kind = a.getEvent().getKind().name();
      byKind.merge(kind, n, Long::sum);
      byCallSite.merge(callSite(a.getEvent().getCallSite()), n, Long::sum);
      byRule.merge(a.getRule().isEmpty() ? "new-behaviour:" + kind : a.getRule(), n, Long::sum);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", service);
    m.put("windowMs", window.toMillis());
    m.put("since", since);
    m.put("total", total);
    m.put("alerts", matching);
    m.put("truncated", alerts.size() >= MAX_ALERTS);
    m.put("byKind", ranked(byKind, "kind"));
    m.put("byCallSite", ranked(byCallSite, "callSite"));
    m.put("byRule", ranked(byRule, "rule"));
    return m;
  }

  private static String callSite(CallSite c) {
    if (c.getClassName().isEmpty()) return "(unknown)";
    String jar = c.getJarName().isEmpty() ? "" : " (" + c.getJarName() + ")";
    return c.getClassName() + "." + c.getMethodName() + jar;
  }

  /** Most frequent first, then by name: [{name: …, count: …}]. */
  private static List<Map<String, Object>> ranked(Map<String, Long> counts, String name) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(
        Map.Entry.<String, Long>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : entries) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(name, e.getKey());
      row.put("count", e.getValue());
      out.add(row);
    }
    return out;
  }
}
