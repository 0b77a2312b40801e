package dev.tripline.collector.output;

import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.config.Grammar;
import dev.tripline.config.InvalidValue;
import dev.tripline.config.Key;
import dev.tripline.config.Secrets;
import dev.tripline.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads every {@code output.<name>.<key>} into checked {@link OutputSpec}s. A mistake (unknown type
 * or key, a URL that does not parse, a filter value that names nothing, an unreadable secret file)
 * breaks that output alone, with one line naming the key: the collector and the other outputs run
 * on, and the broken one is listed as such on {@code /api/outputs} and {@code /metrics} (an
 * operator who mistypes a Slack URL should not lose detection, nor the SIEM feed).
 */
public final class OutputSpecs {
  /** Output names: they become consumer-group ids and metric tags. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** Most outputs: each runs a consumer and a thread. */
  static final int MAX_OUTPUTS = 64;

  static final List<String> TYPES = List.of("webhook", "slack", "pagerduty", "email", "syslog");

  private OutputSpecs() {}

  /** The outputs, good and broken, in name order. */
  public record Parsed(List<OutputSpec> outputs, Map<String, String> broken) {}

  /**
   * @param texts the {@code output.*} keys as given (secrets not yet read)
   * @param consoleUrl the collector's console, for links ("" when unknown)
   */
  public static Parsed parse(Map<String, String> texts, String consoleUrl) {
    Map<String, Map<String, String>> byName = new TreeMap<>();
    Map<String, String> broken = new LinkedHashMap<>();
    texts.forEach(
        (key, value) -> {
          String rest = key.substring(CollectorKeys.OUTPUT_PREFIX.length());
          int dot = rest.indexOf('.');
          String name = dot < 0 ? rest : rest.substring(0, dot);
          if (dot < 0 || dot == rest.length() - 1) {
            broken.putIfAbsent(
                Grammar.clip(name, 64),
                "configuration key '"
                    + Grammar.clip(key, 100)
                    + "': expected output.<name>.<key> (output.soc.type=webhook)");
            return;
          }
          byName.computeIfAbsent(name, n -> new TreeMap<>()).put(rest.substring(dot + 1), value);
        });
    List<OutputSpec> outputs = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> e : byName.entrySet()) {
      String name = e.getKey();
      if (!NAME.matcher(name).matches()) {
        broken.put(
            Grammar.clip(name, 64),
            "output name '"
                + Grammar.clip(name, 64)
                + "': lower-case letters, digits and '-', at most 63");
        continue;
      }
      if (outputs.size() >= MAX_OUTPUTS) {
        broken.put(name, "more than " + MAX_OUTPUTS + " outputs");
        continue;
      }
      try {
        outputs.add(spec(name, e.getValue(), consoleUrl));
      } catch (IllegalArgumentException bad) {
        broken.put(name, String.valueOf(bad.getMessage()));
      }
    }
    return new Parsed(List.copyOf(outputs), broken);
  }

  static OutputSpec spec(String name, Map<String, String> keys, String consoleUrl) {
    String prefix = CollectorKeys.OUTPUT_PREFIX + name + ".";
    for (String k : keys.keySet()) {
      if (OutputKeys.TABLE.get(k) == null) {
        String near = OutputKeys.TABLE.suggest(k);
        throw bad(
            prefix + k,
            "unknown key" + (near != null ? " (did you mean '" + prefix + near + "'?)" : ""));
      }
    }
    List<Settings.Rejected> rejected = new ArrayList<>();
    Settings s = Settings.parse(OutputKeys.TABLE, keys, rejected);
    if (!rejected.isEmpty()) {
      Settings.Rejected r = rejected.get(0);
      String shown =
          r.key().isSecret()
              ? "the value"
              : r.problem().culprit() != null
                  ? "'" + r.problem().culprit() + "'"
                  : "'" + Grammar.clip(r.text()) + "'";
      throw bad(prefix + r.key().name(), shown + " is not " + r.problem().expected());
    }
    String type = s.get(OutputKeys.TYPE).trim().toLowerCase(Locale.ROOT);
    if (!TYPES.contains(type)) {
      throw bad(
          prefix + OutputKeys.TYPE.name(),
          (type.isEmpty() ? "missing" : "'" + Grammar.clip(type) + "' is not a type")
              + ": one of "
              + String.join(", ", TYPES));
    }
    AlertFilter filter;
    String filterKey = prefix + "min.severity/services/reasons/rules/tactics/dispositions";
    try {
      filterKey = prefix + OutputKeys.MIN_SEVERITY.name();
      AlertFilter.of(
          s.get(OutputKeys.MIN_SEVERITY), List.of(), List.of(), List.of(), List.of(), List.of());
      filterKey = prefix + OutputKeys.SERVICES.name();
      AlertFilter.of("", s.get(OutputKeys.SERVICES), List.of(), List.of(), List.of(), List.of());
      filterKey = prefix + OutputKeys.REASONS.name();
      AlertFilter.of("", List.of(), s.get(OutputKeys.REASONS), List.of(), List.of(), List.of());
      filterKey = prefix + OutputKeys.DISPOSITIONS.name();
      filter =
          AlertFilter.of(
              s.get(OutputKeys.MIN_SEVERITY),
              s.get(OutputKeys.SERVICES),
              s.get(OutputKeys.REASONS),
              s.get(OutputKeys.RULES),
              s.get(OutputKeys.TACTICS),
              s.get(OutputKeys.DISPOSITIONS));
    } catch (InvalidValue e) {
      throw bad(
          filterKey,
          (e.culprit() != null ? "'" + e.culprit() + "'" : "the value")
              + " is not "
              + e.expected());
    }
    String secret = secret(prefix, s);
    String console =
        s.get(OutputKeys.CONSOLE_URL).isBlank() ? consoleUrl : s.get(OutputKeys.CONSOLE_URL);
    Sender sender = sender(prefix, type, s, secret, console);
    return new OutputSpec(name, type, s, filter, sender);
  }

  private static Sender sender(
      String prefix, String type, Settings s, String secret, String console) {
    String url = s.get(OutputKeys.URL);
    String format = s.get(OutputKeys.FORMAT).trim().toLowerCase(Locale.ROOT);
    return switch (type) {
      case "webhook" -> {
        require(prefix, OutputKeys.URL, url);
        if (!format.isEmpty() && !format.equals("ocsf") && !format.equals("api")) {
          throw bad(
              prefix + OutputKeys.FORMAT.name(),
              "'" + Grammar.clip(format) + "' is not ocsf or api");
        }
        yield new WebhookSender(http(prefix, url, s), secret, !format.equals("api"));
      }
      case "slack" -> {
        require(prefix, OutputKeys.URL, url);
        yield new SlackSender(http(prefix, url, s), console);
      }
      case "pagerduty" -> {
        require(prefix, OutputKeys.SECRET, secret);
        yield new PagerDutySender(
            http(prefix, url.isBlank() ? PagerDutySender.DEFAULT_URL : url, s), secret, console);
      }
      case "email" -> {
        URI u = scheme(prefix, url, List.of("smtp"));
        require(prefix, OutputKeys.FROM, s.get(OutputKeys.FROM));
        if (s.get(OutputKeys.TO).isEmpty()) {
          throw bad(prefix + OutputKeys.TO.name(), "missing: at least one recipient");
        }
        try {
          yield new EmailSender(
              u,
              s.get(OutputKeys.FROM),
              s.get(OutputKeys.TO),
              s.get(OutputKeys.USERNAME),
              secret,
              s.get(OutputKeys.STARTTLS),
              s.get(OutputKeys.TIMEOUT),
              console);
        } catch (IllegalArgumentException e) {
          throw bad(
              prefix + OutputKeys.FROM.name() + "/" + OutputKeys.TO.name(),
              String.valueOf(e.getMessage()));
        }
      }
      case "syslog" -> {
        URI u = scheme(prefix, url, List.of("tcp", "tls"));
        if (!format.isEmpty() && !format.equals("cef") && !format.equals("json")) {
          throw bad(
              prefix + OutputKeys.FORMAT.name(),
              "'" + Grammar.clip(format) + "' is not cef or json");
        }
        yield new SyslogSender(
            u,
            u.getScheme().equalsIgnoreCase("tls"),
            !format.equals("json"),
            s.get(OutputKeys.TIMEOUT));
      }
      default -> throw bad(prefix + OutputKeys.TYPE.name(), "unknown type");
    };
  }

  private static HttpPost http(String prefix, String url, Settings s) {
    try {
      return new HttpPost(
          HttpPost.httpUrl(url), s.get(OutputKeys.TIMEOUT), s.get(OutputKeys.RETRY_MAX));
    } catch (IllegalArgumentException e) {
      throw bad(prefix + OutputKeys.URL.name(), "the value " + e.getMessage());
    }
  }

  private static URI scheme(String prefix, String url, List<String> schemes) {
    require(prefix, OutputKeys.URL, url);
    URI u;
    try {
      u = HttpPost.uri(url);
    } catch (IllegalArgumentException e) {
      throw bad(prefix + OutputKeys.URL.name(), "the value " + e.getMessage());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!schemes.contains(scheme)) {
      throw bad(
          prefix + OutputKeys.URL.name(),
          "the value is not "
              + String.join(" or ", schemes.stream().map(x -> x + "://host:port").toList()));
    }
    return u;
  }

  private static void require(String prefix, Key<String> key, String value) {
    if (value.isBlank()) {
      throw bad(prefix + key.name(), "missing");
    }
  }

  private static String secret(String prefix, Settings s) {
    String value = s.get(OutputKeys.SECRET);
    try {
      return Secrets.resolve(value);
    } catch (IOException e) {
      throw bad(
          prefix + OutputKeys.SECRET.name(),
          "cannot read secret file "
              + Grammar.clip(Secrets.path(value), 200)
              + ": "
              + e.getMessage());
    }
  }

  static OutputConfigException bad(String key, String problem) {
    return new OutputConfigException(
        "configuration key '" + Grammar.clip(key, 120) + "': " + problem);
  }

  /** One output's configuration mistake. */
  static final class OutputConfigException extends IllegalArgumentException {
    OutputConfigException(String message) {
      super(message);
    }
  }
}
