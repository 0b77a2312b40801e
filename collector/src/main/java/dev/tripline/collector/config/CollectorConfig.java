package dev.tripline.collector.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Collector settings: defaults, then an optional properties file ({@code --config}), then
 * environment variables {@code TRIPLINE_<KEY>} ({@code .} → {@code _}, upper case), then
 * command-line flags. Unknown keys are rejected with a message naming the key, so that a typo
 * never silently falls back to a default.
 *
 * <p>{@code kafka.*} keys are passed to every Kafka client the collector creates (TLS, SASL…).
 * A value of the form {@code @file:/path} is read from that file (secrets).
 */
public final class CollectorConfig {

  /** Every key the collector knows, with its default ("" = unset) and a one-line description. */
  public static final Map<String, String[]> KEYS;

  static {
    Map<String, String[]> k = new LinkedHashMap<>();
    k.put("bootstrap.servers", new String[] {"", "Kafka to use; empty starts an embedded single-node Kafka in data.dir"});
    k.put("data.dir", new String[] {"tripline-data", "embedded Kafka log and Kafka Streams state"});
    k.put("embedded.port", new String[] {"9092", "port of the embedded Kafka's listener (0 = any free port)"});
    k.put("application.id", new String[] {"tripline-collector", "Kafka Streams application id: instances with the same id share the work"});
    k.put("topic.events", new String[] {"tripline.events", "agent event batches (protobuf)"});
    k.put("topic.events.shared", new String[] {"true", "also read topic.events, where the payload names the service (any writer may speak for any service); false = only per-service topics <topic.events>.<service>"});
    k.put("services.max", new String[] {"10000", "most services the collector keeps; batches for further new services are dead-lettered and counted"});
    k.put("topic.alerts", new String[] {"tripline.alerts", "alerts (protobuf)"});
    k.put("topic.alerts.json", new String[] {"tripline.alerts.json", "alerts (JSON, OCSF Detection Finding)"});
    k.put("topic.deadletter", new String[] {"tripline.deadletter", "records that could not be parsed"});
    k.put("topic.actions", new String[] {"tripline.actions", "analyst actions (acknowledge, accept, state changes)"});
    k.put("topic.partitions", new String[] {"3", "partitions of topics the collector creates"});
    k.put("topic.replication", new String[] {"1", "replication factor of topics the collector creates"});
    k.put("learning.period", new String[] {"24h", "minimum time a new service stays in LEARNING"});
    k.put("learning.quiet", new String[] {"1h", "LEARNING ends only after this long with nothing new"});
    k.put("rules.file", new String[] {"", "extra known-bad rules (properties file) added to the built-in ones"});
    k.put("detect.code.owner", new String[] {"true", "alert NEW_CODE_PATH when known behaviour comes from code (jar or package) that never did it"});
    k.put("rate.window", new String[] {"1m", "window of the rate features fed to the anomaly model"});
    k.put("rate.threshold", new String[] {"0.6", "isolation-forest score (0..1) above which a window is anomalous"});
    k.put("streams.threads", new String[] {"1", "Kafka Streams threads in this instance"});
    k.put("streams.commit.interval", new String[] {"100ms", "how often processing is committed (exactly-once)"});
    k.put("http.port", new String[] {"8470", "port of the console, REST API, /metrics and /health (0 = any)"});
    k.put("http.bind", new String[] {"127.0.0.1", "address the HTTP server binds to"});
    k.put("http.token", new String[] {"", "bearer token for the console and API; empty = generated and printed once"});
    k.put("http.max.body.bytes", new String[] {"65536", "largest request body accepted; beyond it 413 and nothing more is read"});
    k.put("http.max.header.bytes", new String[] {"8192", "request line and headers together; beyond it 431"});
    k.put("http.idle.timeout", new String[] {"30s", "a connection that sends nothing for this long is closed (slow or stalled clients)"});
    k.put("http.threads", new String[] {"16", "worker threads of the HTTP port (headers are parsed without one)"});
    k.put("http.max.connections", new String[] {"256", "open connections in total; beyond it new ones wait to be accepted"});
    k.put("http.max.connections.per.address", new String[] {"32", "open connections from one client address; beyond it they are closed at once"});
    k.put("http.login.failures", new String[] {"10", "wrong tokens per client address per minute before 429 (login form and bearer)"});
    k.put("http.session.ttl", new String[] {"12h", "console sessions end this long after login (POST /logout or /api/sessions/revoke end them sooner)"});
    k.put("http.tls.keystore", new String[] {"", "PKCS12 key store: serve HTTPS when set"});
    k.put("http.tls.keystore.password", new String[] {"", "its password (use @file:/path)"});
    // Hostile input (docs/operations.md, "Collector state and records").
    k.put("profile.max.entries.per.kind", new String[] {"2000", "profile entries per service and kind; beyond, new targets are generalised"});
    k.put("profile.max.bytes", new String[] {"786432", "serialised size budget of one service's profile"});
    k.put("profile.max.instances", new String[] {"100", "agent instances a profile remembers (the most recently seen)"});
    k.put("string.max.chars", new String[] {"4096", "longest path, argv element, host… kept from an event; longer ones are truncated"});
    k.put("record.max.bytes", new String[] {"1000000", "largest record the collector writes (keep under the topics' max.message.bytes)"});
    k.put("poison.max.tries", new String[] {"3", "times a record may kill the stream thread before it is dead-lettered and skipped"});
    k.put("health.stuck.after", new String[] {"60s", "/health is DOWN when input waits this long without the committed offset moving"});
    KEYS = Collections.unmodifiableMap(k);
  }

  private final Map<String, String> values;

  private CollectorConfig(Map<String, String> values) {
    this.values = values;
  }

  /** Defaults only. */
  public static CollectorConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public String get(String key) {
    String v = values.get(key);
    if (v == null && !KEYS.containsKey(key)) {
      throw new IllegalArgumentException("unknown collector configuration key '" + key + "'");
    }
    return v == null ? "" : v;
  }

  public int getInt(String key) {
    return parse(key, () -> Integer.parseInt(get(key).trim()), "a whole number");
  }

  public Duration getDuration(String key) {
    return parse(key, () -> parseDuration(get(key)), "a duration such as 500ms, 30s, 10m, 24h or 7d");
  }

  public boolean embedded() {
    return get("bootstrap.servers").isBlank();
  }

  public Path dataDir() {
    return Path.of(get("data.dir"));
  }

  /** The {@code kafka.*} keys without their prefix: client settings such as security.protocol or ssl.*. */
  public Properties kafkaClientProperties() {
    Properties p = new Properties();
    values.forEach((key, value) -> {
      if (key.startsWith("kafka.")) {
        p.put(key.substring("kafka.".length()), value);
      }
    });
    return p;
  }

  /** A copy with one value changed (used by commands that set their own defaults, e.g. the demo). */
  public CollectorConfig with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(values);
    copy.put(Builder.checkKey(key), value);
    return new CollectorConfig(copy);
  }

  /** Values with secrets masked, for printing. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, isSecret(k) ? "******" : v));
    return out;
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("jaas");
  }

  public static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    long factor;
    String number;
    if (s.endsWith("ms")) { factor = 1; number = s.substring(0, s.length() - 2); }
    else if (s.endsWith("s")) { factor = 1_000; number = s.substring(0, s.length() - 1); }
    else if (s.endsWith("m")) { factor = 60_000; number = s.substring(0, s.length() - 1); }
    else if (s.endsWith("h")) { factor = 3_600_000; number = s.substring(0, s.length() - 1); }
    else if (s.endsWith("d")) { factor = 86_400_000; number = s.substring(0, s.length() - 1); }
    else { throw new IllegalArgumentException("missing unit"); }
    long n = Long.parseLong(number.trim());
    if (n < 0) {
      throw new IllegalArgumentException("negative");
    }
    return Duration.ofMillis(n * factor);
  }

  private <T> T parse(String key, java.util.function.Supplier<T> parser, String expected) {
    try {
      return parser.get();
    } catch (RuntimeException e) {
      throw new ConfigException(key, "'" + get(key) + "' is not " + expected);
    }
  }

  /** A configuration error: the message names the key and what is expected. */
  public static final class ConfigException extends IllegalArgumentException {
    public ConfigException(String key, String problem) {
      super("configuration key '" + key + "': " + problem);
    }
  }

  /** Collects values from the layers in order; later layers win. */
  public static final class Builder {
    private final Map<String, String> values = new TreeMap<>();

    Builder() {
      KEYS.forEach((key, meta) -> {
        if (!meta[0].isEmpty()) {
          values.put(key, meta[0]);
        }
      });
    }

    public Builder file(Path file) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
      }
      p.stringPropertyNames().forEach(k -> set(k, p.getProperty(k)));
      return this;
    }

    /** {@code TRIPLINE_<KEY>} variables; {@code TRIPLINE_KAFKA_SSL_TRUSTSTORE_LOCATION} → {@code kafka.ssl.truststore.location}. */
    public Builder environment(Map<String, String> env) {
      env.forEach((name, value) -> {
        if (name.startsWith("TRIPLINE_") && !name.startsWith("TRIPLINE_AGENT_")) {
          String key = name.substring("TRIPLINE_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
          if (KEYS.containsKey(key) || key.startsWith("kafka.")) {
            values.put(key, value);
          }
        }
      });
      return this;
    }

    public Builder set(String key, String value) {
      if (value != null) {
        values.put(checkKey(key), value);
      }
      return this;
    }

    public CollectorConfig build() {
      Map<String, String> resolved = new TreeMap<>();
      values.forEach((k, v) -> resolved.put(k, resolveSecret(k, v)));
      return new CollectorConfig(resolved);
    }

    static String checkKey(String key) {
      if (!KEYS.containsKey(key) && !key.startsWith("kafka.")) {
        String hint = KEYS.keySet().stream()
            .min(java.util.Comparator.comparingInt(known -> distance(known, key)))
            .filter(best -> distance(best, key) <= 3)
            .map(best -> " (did you mean '" + best + "'?)").orElse("");
        throw new ConfigException(key, "unknown key" + hint);
      }
      return key;
    }

    private static String resolveSecret(String key, String value) {
      if (value.startsWith("@file:")) {
        try {
          return Files.readString(Path.of(value.substring("@file:".length()))).trim();
        } catch (IOException e) {
          throw new ConfigException(key, "cannot read secret file " + value.substring(6) + ": " + e.getMessage());
        }
      }
      return value;
    }

    private static int distance(String a, String b) {
      int[] prev = new int[b.length() + 1];
      int[] cur = new int[b.length() + 1];
      for (int j = 0; j <= b.length(); j++) prev[j] = j;
      for (int i = 1; i <= a.length(); i++) {
        cur[0] = i;
        for (int j = 1; j <= b.length(); j++) {
          int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
          cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        }
        int[] t = prev; prev = cur; cur = t;
      }
      return prev[b.length()];
    }
  }
}
