package dev.tripline.collector.config;

import dev.tripline.config.Grammar;
import dev.tripline.config.InvalidValue;
import dev.tripline.config.Key;
import dev.tripline.config.Secrets;
import dev.tripline.config.Type;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Collector settings: defaults, then an optional properties file ({@code --config}), then
 * environment variables {@code TRIPLINE_<KEY>} ({@code .} → {@code _}, upper case), then
 * command-line flags. Unknown keys and bad values are rejected with one line naming the key, so
 * that a typo never silently falls back to a default (the collector is started by an operator who
 * reads that line; the agent, which must never blind an application, warns and keeps defaults
 * instead).
 *
 * <p>The keys are declared in {@link CollectorKeys} and read with the grammar the agent uses too
 * ({@code dev.tripline.config.Grammar}). {@code kafka.*} keys are passed to every Kafka client the
 * collector creates (TLS, SASL…). A value of the form {@code @file:/path} is read from that file
 * (secrets).
 */
public final class CollectorConfig {

  /**
   * Every key the collector knows, with its default ("" = unset) and a one-line description (from
   * {@link CollectorKeys}).
   */
  public static final Map<String, String[]> KEYS;

  static {
    Map<String, String[]> k = new LinkedHashMap<>();
    for (Key<?> key : CollectorKeys.TABLE.keys()) {
      k.put(key.name(), new String[] {key.defaultText(), key.description()});
    }
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
    Key<?> declared = CollectorKeys.get(key);
    if (declared == null) {
      String text = get(key); // a kafka.* setting read as a number
      return parse(key, text, () -> Type.integer(Integer.MIN_VALUE, Integer.MAX_VALUE).parse(text));
    }
    Object v = parse(key, get(key), () -> declared.parse(get(key)));
    if (!(v instanceof Number)) {
      throw new IllegalArgumentException(
          "collector configuration key '" + key + "' is not a number");
    }
    return ((Number) v).intValue();
  }

  public Duration getDuration(String key) {
    return parse(key, get(key), () -> parseDuration(get(key)));
  }

  public boolean embedded() {
    return get("bootstrap.servers").isBlank();
  }

  public Path dataDir() {
    return Path.of(get("data.dir"));
  }

  /**
   * The {@code kafka.*} keys without their prefix: client settings such as security.protocol or
   * ssl.*.
   */
  public Properties kafkaClientProperties() {
    Properties p = new Properties();
    values.forEach(
        (key, value) -> {
          if (key.startsWith("kafka.")) {
            p.put(key.substring("kafka.".length()), value);
          }
        });
    return p;
  }

  /**
   * A copy with one value changed (used by commands that set their own defaults, e.g. the demo).
   */
  public CollectorConfig with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(values);
    copy.put(Builder.checkKey(key), Builder.checkValue(key, value));
    return new CollectorConfig(copy);
  }

  /** Values with secrets masked, for printing. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, isSecret(k) ? "******" : v));
    return out;
  }

  static boolean isSecret(String key) {
    Key<?> declared = CollectorKeys.get(key);
    return (declared != null && declared.isSecret()) || Secrets.looksSecret(key);
  }

  /**
   * The shared duration grammar: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}.
   */
  public static Duration parseDuration(String text) {
    return Duration.ofMillis(Grammar.durationMillis(text));
  }

  private static <T> T parse(String key, String text, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (InvalidValue e) {
      throw Builder.badValue(key, text, e);
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
      KEYS.forEach(
          (key, meta) -> {
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

    /**
     * The collector's own {@code TRIPLINE_<KEY>} variables; {@code
     * TRIPLINE_KAFKA_SSL_TRUSTSTORE_LOCATION} → {@code kafka.ssl.truststore.location}. Any other
     * {@code TRIPLINE_*} variable (the agent's, the agent image's) is someone else's and is left
     * alone.
     */
    public Builder environment(Map<String, String> env) {
      values.putAll(CollectorKeys.TABLE.fromEnvironment(env));
      return this;
    }

    public Builder set(String key, @Nullable String value) {
      if (value != null) {
        values.put(checkKey(key), value);
      }
      return this;
    }

    /**
     * Reads secret files and checks every value against its declaration: the first bad one stops
     * the build.
     */
    public CollectorConfig build() {
      Map<String, String> resolved = new TreeMap<>();
      values.forEach((k, v) -> resolved.put(k, checkValue(k, resolveSecret(k, v))));
      return new CollectorConfig(resolved);
    }

    static String checkKey(String key) {
      if (!CollectorKeys.TABLE.isKnown(key)) {
        String near = CollectorKeys.TABLE.suggest(key);
        throw new ConfigException(
            Grammar.clip(key, 100),
            "unknown key" + (near != null ? " (did you mean '" + near + "'?)" : ""));
      }
      return key;
    }

    static String checkValue(String key, String value) {
      Key<?> declared = CollectorKeys.get(key);
      if (declared != null) {
        try {
          declared.parse(value);
        } catch (InvalidValue e) {
          throw badValue(key, value, e);
        }
      }
      return value;
    }

    static ConfigException badValue(String key, String value, InvalidValue e) {
      String shown =
          isSecret(key)
              ? "the value"
              : e.culprit() != null ? "'" + e.culprit() + "'" : "'" + Grammar.clip(value) + "'";
      return new ConfigException(key, shown + " is not " + e.expected());
    }

    private static String resolveSecret(String key, String value) {
      try {
        return Secrets.resolve(value);
      } catch (IOException e) {
        throw new ConfigException(
            key, "cannot read secret file " + Secrets.path(value) + ": " + e.getMessage());
      }
    }
  }
}
