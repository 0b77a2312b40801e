package dev.tripline.collector.cli;

import dev.tripline.collector.json.Json;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code alerts [--follow] [--json]}: recent alerts from a running collector, newest last. */
@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = "Lists alerts of a running collector; --follow prints new ones as they come.")
public final class AlertsCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Option(names = "--follow", description = "Keep polling and print new alerts.")
  boolean follow;

  @Option(names = "--json", description = "One JSON object per line (the REST API's shape).")
  boolean json;

  @Option(names = "--service", description = "Only this service.")
  @Nullable String service;

  @Option(names = "--limit", description = "How many recent alerts to show first (default 50).")
  int limit = 50;

  @Override
  public Integer call() throws Exception {
    Set<String> shown = new LinkedHashSet<>();
    do {
      List<Object> alerts =
          Json.array(
              api.get(
                  "alerts?limit="
                      + limit
                      + (service == null ? "" : "&service=" + ApiClient.encode(service))));
      Collections.reverse(alerts); // the API answers newest first; a terminal reads oldest first
      for (Object o : alerts) {
        Map<?, ?> alert = (Map<?, ?>) o;
        if (shown.add(String.valueOf(alert.get("id")))) {
          // JSON output escapes control characters itself (as \\u001b); the table escapes them
          // visibly.
          System.out.println(json ? Json.write(alert) : row(alert));
        }
      }
      if (follow) {
        Thread.sleep(2000); // polling interval of --follow
      }
    } while (follow);
    return 0;
  }

  /**
   * One line per alert; every field the attacker may have chosen goes through {@link TerminalSafe}.
   */
  static String row(Map<?, ?> a) {
    Map<?, ?> site = a.get("callSite") instanceof Map ? (Map<?, ?>) a.get("callSite") : Map.of();
    return String.format(
        "%-8s %-16s %-15s %-12s %s  @ %s.%s %s  (%s×)",
        safe(a.get("severity")),
        safe(a.get("service")),
        safe(a.get("reason")),
        safe(a.get("state")),
        safe(a.get("title")),
        safe(site.get("className")),
        safe(site.get("methodName")),
        safe(site.get("jar")),
        safe(a.get("count")));
  }

  private static String safe(Object v) {
    return TerminalSafe.text(v);
  }
}
