package dev.tripline.collector.cli;

import static dev.tripline.collector.cli.TerminalSafe.text;

import dev.tripline.collector.json.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code profile <service>}: what a service normally does, as the collector learned it, and how its
 * instances are.
 */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description = "Shows a service's behaviour profile and its instances' health.")
public final class ProfileCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Override
  public Integer call() throws Exception {
    System.out.print(render(Json.object(api.get("services/" + ApiClient.encode(service)))));
    return 0;
  }

  /** The profile as text; every value from the API is escaped for the terminal. */
  static String render(Map<String, Object> p) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%s — %s (set by %s) · %s behaviours · %s events%n%n",
            text(p.get("service")),
            text(p.get("state")),
            text(p.get("stateChangedBy")),
            text(p.get("entryCount")),
            text(p.get("eventsTotal"))));
    sb.append(
        String.format(
            "%-14s %-48s %-10s %-20s %-40s %s%n",
            "KIND", "TARGET", "COUNT", "ORIGIN", "CALL SITE", "CODE"));
    for (Object o : list(p.get("entries"))) {
      Map<?, ?> e = (Map<?, ?>) o;
      String owners =
          String.join(", ", list(e.get("codeOwners")).stream().map(String::valueOf).toList());
      sb.append(
          String.format(
              "%-14s %-48s %-10s %-20s %-40s %s%n",
              text(e.get("kind")),
              text(e.get("target")),
              text(e.get("count")),
              text(e.get("origin")),
              text(e.get("callSite")),
              text(owners)));
    }
    List<?> instances = list(p.get("instances"));
    if (!instances.isEmpty()) {
      sb.append(String.format("%n%-38s %-20s %-9s %s%n", "INSTANCE", "HOST", "STATUS", "PROBLEMS"));
      for (Object o : instances) {
        Map<?, ?> i = (Map<?, ?>) o;
        sb.append(
            String.format(
                "%-38s %-20s %-9s %s%n",
                text(i.get("instanceId")),
                text(i.get("host")),
                text(i.get("status")),
                text(
                    String.join(
                        "; ", list(i.get("problems")).stream().map(String::valueOf).toList()))));
        for (Object w : list(i.get("configWarnings"))) {
          sb.append("    config warning: ").append(text(w)).append(System.lineSeparator());
        }
      }
    }
    return sb.toString();
  }

  private static List<?> list(Object v) {
    return v instanceof List<?> l ? l : List.of();
  }
}
