package dev.tripline.collector.output;

import dev.tripline.collector.json.Json;
import dev.tripline.model.Alert;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A Slack incoming webhook: one readable message — severity, service, title, call site, MITRE, a
 * link to the console. Every attacker-chosen string (paths, hosts, argv end up in titles) is
 * escaped as Slack's mrkdwn requires ({@code & < >}), so an alert can neither mention
 * {@code @channel} nor carry a link of its own; fields are cut to stay well inside Slack's limits.
 */
final class SlackSender implements Sender {
  /** Slack cuts a section's text at 3000 characters. */
  static final int MAX_TEXT = 2800;

  private final HttpPost http;
  private final String consoleUrl;

  SlackSender(HttpPost http, String consoleUrl) {
    this.http = http;
    this.consoleUrl = consoleUrl;
  }

  @Override
  public Delivery send(Notice n) {
    Alert a = n.alert();
    StringBuilder text = new StringBuilder();
    text.append('*').append(escape(AlertText.headline(n), 400)).append("*\n");
    text.append("Reason: ").append(escape(a.getReason().name(), 40));
    if (!a.getRule().isEmpty()) {
      text.append(" · rule ").append(escape(a.getRule(), 80));
    }
    if (a.getDispositionValue() != 0) {
      text.append(" · protection: ").append(a.getDisposition().name());
    }
    text.append("\nCall site: `").append(escape(AlertText.callSite(a), 400)).append('`');
    String mitre = AlertText.mitre(a);
    if (!mitre.isEmpty()) {
      text.append("\nMITRE ATT&amp;CK: ").append(escape(mitre, 200));
    }
    if (!a.getContext().getSummary().isEmpty()) {
      text.append("\nProfile: ").append(escape(a.getContext().getSummary(), 600));
    }
    text.append("\nSeen ").append(a.getCount()).append("× · alert ").append(escape(a.getId(), 80));
    String link = AlertText.link(consoleUrl);
    if (!link.isEmpty()) {
      // The link is ours (configuration), not the alert's: only it may be a Slack link.
      text.append("\n<").append(escape(link, 400)).append("|Open in the Tripline console>");
    }
    String fallback = escape(AlertText.headline(n), 300);
    String body =
        Json.write(
            Map.of(
                "text",
                fallback,
                "blocks",
                List.of(
                    Map.of(
                        "type",
                        "section",
                        "text",
                        Map.of("type", "mrkdwn", "text", clip(text.toString()))))));
    return http.post("application/json", body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** Slack's three control characters, escaped; one line per field; cut at {@code max}. */
  static String escape(String s, int max) {
    String clipped = HttpPost.clip(s, max);
    return clipped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String clip(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
  }
}
