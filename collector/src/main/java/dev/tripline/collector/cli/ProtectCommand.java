package dev.tripline.collector.cli;

import dev.tripline.collector.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code protect <service> [--mode off|dry-run|block] [--kinds PROCESS_SPAWN,NET_CONNECT]}: shows
 * or sets a service's protection mode through the REST API ({@code GET/PUT
 * /api/services/{service}/protection}); a change is recorded in the audit trail with the actor.
 */
@Command(
    name = "protect",
    mixinStandardHelpOptions = true,
    description =
        "Shows a service's protection mode, or sets it with --mode (off, dry-run, block).")
public final class ProtectCommand implements Callable<Integer> {
  @Mixin ApiClient api;

  @Parameters(paramLabel = "SERVICE")
  String service;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description = "off, dry-run or block (without it: show the current mode).")
  @Nullable String mode;

  @Option(
      names = "--kinds",
      split = ",",
      paramLabel = "KIND",
      description =
          "Kinds enforced outside the profile (default PROCESS_SPAWN,NET_CONNECT; also FILE_READ,"
              + " FILE_WRITE, FILE_DELETE, FILE_RENAME).")
  @Nullable List<String> kinds;

  @Override
  public Integer call() throws Exception {
    String path = "services/" + ApiClient.encode(service) + "/protection";
    if (mode == null) {
      if (kinds != null) {
        throw new IllegalArgumentException("--kinds needs --mode");
      }
      System.out.println(line(api.get(path)));
      return 0;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("mode", mode);
    if (kinds != null) body.put("kinds", kinds);
    System.out.println(line(api.put(path, Json.write(body))) + " (recorded in the audit trail)");
    return 0;
  }

  /** "payments: block (PROCESS_SPAWN, NET_CONNECT), version 3 by alice". */
  static String line(String json) {
    Map<String, Object> m = Json.object(json);
    StringBuilder sb =
        new StringBuilder(TerminalSafe.text(String.valueOf(m.get("service"))))
            .append(": ")
            .append(TerminalSafe.text(String.valueOf(m.get("mode"))));
    if (m.get("kinds") instanceof List<?> k && !k.isEmpty()) {
      sb.append(" (");
      for (int i = 0; i < k.size(); i++) {
        if (i > 0) sb.append(", ");
        sb.append(TerminalSafe.text(String.valueOf(k.get(i))));
      }
      sb.append(')');
    }
    if (Boolean.TRUE.equals(m.get("issued"))) {
      sb.append(", version ")
          .append(m.get("version"))
          .append(" by ")
          .append(TerminalSafe.text(String.valueOf(m.get("issuedBy"))));
    } else {
      sb.append(" (never set)");
    }
    return sb.toString();
  }
}
