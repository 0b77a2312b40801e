package dev.tripline.collector.cli;

import dev.tripline.collector.json.Json;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code retire <service>}: forgets a service's profile (a decommissioned or invented one), which
 * frees its {@code services.max} slot; its alerts stay. Recorded in the audit trail with the actor.
 */
@Command(
    name = "retire",
    mixinStandardHelpOptions = true,
    description = "Retires a service: forgets its profile and frees its services.max slot.")
public final class RetireCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Why (kept in the audit trail).")
  String comment = "";

  @Override
  public Integer call() throws Exception {
    api.post(
        "services/" + ApiClient.encode(service) + "/retire",
        Json.write(Map.of("comment", comment)));
    System.out.println("Retired " + TerminalSafe.text(service) + " (recorded in the audit trail).");
    return 0;
  }
}
