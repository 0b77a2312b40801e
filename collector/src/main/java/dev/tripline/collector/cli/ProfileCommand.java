package dev.tripline.collector.cli;

import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code profile <service>}: what a service normally does, as the collector learned it. */
@Command(name = "profile", mixinStandardHelpOptions = true, description = "Shows a service's behaviour profile.")
public final class ProfileCommand implements Callable<Integer> {
  private static final Pattern ENTRY = Pattern.compile("\\{\"kind\":\"([A-Z_]+)\",\"target\":\"((?:[^\"\\\\]|\\\\.)*)\",\"callSite\":\"([^\"]*)\","
      + "\"firstSeen\":(\\d+),\"lastSeen\":(\\d+),\"count\":(\\d+),\"origin\":\"([^\"]*)\"\\}");

  @Mixin
  ApiClient api;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Override
  public Integer call() throws Exception {
    String body = api.get("services/" + service);
    var f = AlertsCommand.fields(body, "service", "state", "stateChangedBy", "eventsTotal", "entryCount");
    System.out.printf("%s — %s (set by %s) · %s behaviours · %s events%n%n", f.get("service"), f.get("state"),
        f.get("stateChangedBy"), f.get("entryCount"), f.get("eventsTotal"));
    System.out.printf("%-14s %-48s %-10s %-20s %s%n", "KIND", "TARGET", "COUNT", "ORIGIN", "CALL SITE");
    Matcher m = ENTRY.matcher(body);
    while (m.find()) {
      System.out.printf("%-14s %-48s %-10s %-20s %s%n", m.group(1), m.group(2), m.group(6), m.group(7), m.group(3));
    }
    return 0;
  }
}
