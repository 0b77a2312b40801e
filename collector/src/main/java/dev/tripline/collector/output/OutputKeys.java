package dev.tripline.collector.output;

import static dev.tripline.config.Key.of;

import dev.tripline.config.Key;
import dev.tripline.config.KeyTable;
import dev.tripline.config.Type;
import java.time.Duration;
import java.util.List;

/**
 * The keys of one output, after {@code output.<name>.}: declared once, typed, parsed with the
 * grammar of every other key (docs/outputs.md lists them). A key that is not here is a mistake in
 * that output alone: it is reported broken, the rest run.
 */
public final class OutputKeys {
  public static final Key<String> TYPE =
      of("type", Type.text(), "", "webhook, slack, pagerduty, email or syslog (required)");

  public static final Key<String> URL =
      of(
          "url",
          Type.text(),
          "",
          "where to deliver: https://… (webhook, slack, pagerduty), smtp://host:port (email), tcp://host:port or tls://host:port (syslog)");

  public static final Key<String> SECRET =
      of(
              "secret",
              Type.text(),
              "",
              "webhook: HMAC-SHA256 key; pagerduty: routing key; email: the SMTP password; @file:/path reads it from a file")
          .secret();

  public static final Key<String> FORMAT =
      of(
          "format",
          Type.text(),
          "",
          "webhook: ocsf (default) or api; syslog: cef (default) or json");

  public static final Key<String> MIN_SEVERITY =
      of("min.severity", Type.text(), "", "lowest severity delivered (INFO…CRITICAL)");

  public static final Key<List<String>> SERVICES =
      of("services", Type.list(), "", "service globs (* and ?); empty = every service");

  public static final Key<List<String>> REASONS =
      of("reasons", Type.list(), "", "alert reasons (KNOWN_BAD, NEW_CONNECTION…); empty = all");

  public static final Key<List<String>> RULES =
      of("rules", Type.list(), "", "known-bad/rate rule ids (shell-spawn…); empty = all");

  public static final Key<List<String>> TACTICS =
      of("tactics", Type.list(), "", "MITRE ATT&CK tactics (Execution, Discovery…); empty = all");

  public static final Key<List<String>> DISPOSITIONS =
      of(
          "dispositions",
          Type.listOf("none", "would_block", "blocked"),
          "",
          "protection outcomes delivered (none, would_block, blocked); empty = all");

  public static final Key<Boolean> REPEATS =
      of(
          "repeats",
          Type.bool(),
          "true",
          "deliver a folded alert's republished repeats (count crossing 10, 100…, a reopen) as updates");

  public static final Key<Integer> RATE =
      of("rate", Type.integer(1, 10_000), "5", "deliveries per second at most (bursts of 2×)");

  public static final Key<Duration> RETRY_BUDGET =
      of(
          "retry.budget",
          Type.javaDuration(1),
          "10m",
          "how long one alert is retried before it is dead-lettered with the reason");

  public static final Key<Duration> RETRY_INITIAL =
      of("retry.initial", Type.javaDuration(1), "500ms", "first back-off (doubled, with jitter)");

  public static final Key<Duration> RETRY_MAX =
      of(
          "retry.max",
          Type.javaDuration(1),
          "60s",
          "longest back-off; a receiver's Retry-After is capped to it");

  public static final Key<Duration> TIMEOUT =
      of("timeout", Type.javaDuration(1), "10s", "connect and response timeout of one delivery");

  public static final Key<String> CONSOLE_URL =
      of(
          "console.url",
          Type.text(),
          "",
          "base URL of the console for links in messages (default: the collector's http address)");

  public static final Key<String> FROM = of("from", Type.text(), "", "email: sender address");

  public static final Key<List<String>> TO = of("to", Type.list(), "", "email: recipients");

  public static final Key<String> USERNAME =
      of("username", Type.text(), "", "email: SMTP login (with secret as the password)");

  public static final Key<Boolean> STARTTLS =
      of(
          "starttls",
          Type.bool(),
          "true",
          "email: require STARTTLS (false only for a relay on localhost)");

  public static final KeyTable TABLE =
      KeyTable.of(
          "TRIPLINE_OUTPUT_",
          List.of(),
          List.of(
              TYPE,
              URL,
              SECRET,
              FORMAT,
              MIN_SEVERITY,
              SERVICES,
              REASONS,
              RULES,
              TACTICS,
              DISPOSITIONS,
              REPEATS,
              RATE,
              RETRY_BUDGET,
              RETRY_INITIAL,
              RETRY_MAX,
              TIMEOUT,
              CONSOLE_URL,
              FROM,
              TO,
              USERNAME,
              STARTTLS));

  private OutputKeys() {}
}
