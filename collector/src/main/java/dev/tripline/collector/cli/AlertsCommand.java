package dev.tripline.collector.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code alerts [--follow] [--json]}: recent alerts from a running collector, newest last. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "Lists alerts of a running collector; --follow prints new ones as they come.")
public final class AlertsCommand implements Callable<Integer> {
  private static final Pattern OBJECT = Pattern.compile("\\{\"id\":\"([^\"]+)\".*?\"history\":\\[[^\\]]*\\]\\}");

  @Mixin
  ApiClient api;

  @Option(names = "--follow", description = "Keep polling and print new alerts.")
  boolean follow;

  @Option(names = "--json", description = "One JSON object per line (the REST API's shape).")
  boolean json;

  @Option(names = "--service", description = "Only this service.")
  String service;

  @Option(names = "--limit", description = "How many recent alerts to show first (default 50).")
  int limit = 50;

  @Override
  public Integer call() throws Exception {
    Set<String> shown = new LinkedHashSet<>();
    do {
      String body = api.get("alerts?limit=" + limit + (service == null ? "" : "&service=" + service));
      List<String[]> fresh = new java.util.ArrayList<>();
      Matcher m = OBJECT.matcher(body);
      while (m.find()) {
        if (!shown.contains(m.group(1))) {
          fresh.add(new String[] {m.group(1), m.group()});
        }
      }
      java.util.Collections.reverse(fresh); // the API answers newest first; a terminal reads oldest first
      for (String[] a : fresh) {
        shown.add(a[0]);
        System.out.println(json ? a[1] : row(a[1]));
      }
      if (follow) {
        Thread.sleep(2000); // polling interval of --follow
      }
    } while (follow);
    return 0;
  }

  static String row(String alertJson) {
    Map<String, String> f = fields(alertJson, "severity", "service", "reason", "title", "className", "methodName", "jar", "state", "count");
    return String.format("%-8s %-16s %-15s %-12s %s  @ %s.%s %s  (%s×)", f.get("severity"), f.get("service"), f.get("reason"),
        f.get("state"), f.get("title"), f.get("className"), f.get("methodName"), f.get("jar"), f.get("count"));
  }

  static Map<String, String> fields(String json, String... names) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String n : names) {
      Matcher m = Pattern.compile("\"" + n + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+))").matcher(json);
      out.put(n, m.find() ? (m.group(2) != null ? m.group(2) : m.group(3)) : "");
    }
    return out;
  }
}
