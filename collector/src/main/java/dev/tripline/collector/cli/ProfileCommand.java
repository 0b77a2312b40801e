package dev.tripline.collector.cli;

import dev.tripline.collector.json.JsonReader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code profile <service>}: what a service normally does, as the collector learned it. */
@Command(name = "profile", mixinStandardHelpOptions = true, description = "Shows a service's behaviour profile.")
public final class ProfileCommand implements Callable<Integer> {
  @Mixin
  ApiClient api;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> p = JsonReader.object(api.get("services/" + service));
    System.out.printf("%s — %s (set by %s) · %s behaviours · %s events%n%n", p.get("service"), p.get("state"),
        p.get("stateChangedBy"), p.get("entryCount"), p.get("eventsTotal"));
    System.out.printf("%-14s %-48s %-10s %-20s %s%n", "KIND", "TARGET", "COUNT", "ORIGIN", "CALL SITE");
    for (Object o : p.get("entries") instanceof List ? (List<?>) p.get("entries") : List.of()) {
      Map<?, ?> e = (Map<?, ?>) o;
      System.out.printf("%-14s %-48s %-10s %-20s %s%n", e.get("kind"), e.get("target"), e.get("count"), e.get("origin"),
          e.get("callSite"));
    }
    return 0;
  }
}
