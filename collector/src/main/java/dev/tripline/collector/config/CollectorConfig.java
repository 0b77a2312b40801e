package dev.tripline.collector.config;

import dev.tripline.config.Grammar;
import dev.tripline.config.InvalidValue;
import dev.tripline.config.Key;
import dev.tripline.config.Secrets;
import dev.tripline.config.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>The keys are declared in {@link CollectorKeys}, one typed constant each, and parsed once at
 * load with the grammar the agent uses too ({@code dev.tripline.config.Grammar}); readers call
 * {@code config.get(CollectorKeys.X)} and get the typed value, never a string to parse again.
 * {@code kafka.*} keys are passed to every Kafka client the collector creates (TLS, SASL…). A value
 * of the form {@code @file:/path} is read from that file (secrets).
 */
public final class CollectorConfig {
  private static final String KAFKA_PREFIX = "kafka.";

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

  /** Every value as given (after secret files), for {@link #with} and {@code kafka.*}. */
  private final Map<String, String> values;

  /** The declared keys' values, parsed once by {@link Builder#build()}. */
  private final Settings settings;

  private CollectorConfig(Map<String, String> values, Settings settings) {
    this.values = values;
    this.settings = settings;
  }

  /** Defaults only. */
  public static CollectorConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The value of a declared key ({@code config.get(CollectorKeys.HTTP_PORT)}), parsed at load.
   * There is no lookup by name: a key is read through its declaration, so its type, bounds and
   * default are the ones documented.
   */
  public <T> T get(Key<T> key) {
    return settings.get(key);
  }

  public boolean embedded() {
    return get(CollectorKeys.BOOTSTRAP_SERVERS).isBlank();
  }

  public Path dataDir() {
    return Path.of(get(CollectorKeys.DATA_DIR));
  }

  /**
   * The {@code kafka.*} keys without their prefix: client settings such as security.protocol or
   * ssl.*.
   */
  public Properties kafkaClientProperties() {
    Properties p = new Properties();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PREFIX)) {
            p.put(key.substring(KAFKA_PREFIX.length()), value);
          }
        });
    return p;
  }

  /**
   * A copy with one value changed (used by commands that set their own defaults, e.g. the demo).
   */
  public CollectorConfig with(Key<?> key, String value) {
    return with(key.name(), value);
  }

  /**
   * A copy with one value changed, as an operator would write it (a {@code kafka.*} client setting;
   * tests).
   */
  public CollectorConfig with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(values);
    copy.put(Builder.checkKey(key), value);
    return Builder.parse(copy);
  }

  /**
   * The {@code output.*} texts as given, secret files not yet read: an output whose secret file is
   * missing is reported broken by the delivery engine while the collector runs on
   * (docs/outputs.md).
   */
  public Map<String, String> outputTexts() {
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(CollectorKeys.OUTPUT_PREFIX)) {
            out.put(k, v);
          }
        });
    return out;
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

    /** A value as an operator would write it; a key under {@code kafka.} is passed through. */
    public Builder set(String key, @Nullable String value) {
      if (value != null) {
        values.put(checkKey(key), value);
      }
      return this;
    }

    /** A declared key's value, as an operator would write it (flags, the demo's own defaults). */
    public Builder set(Key<?> key, @Nullable String value) {
      return set(key.name(), value);
    }

    /**
     * Reads secret files and checks every value against its declaration: the first bad one stops
     * the build.
     */
    public CollectorConfig build() {
      Map<String, String> resolved = new TreeMap<>();
      // An output's secret is read by the delivery engine: one broken output never stops the rest.
      values.forEach(
          (k, v) ->
              resolved.put(k, k.startsWith(CollectorKeys.OUTPUT_PREFIX) ? v : resolveSecret(k, v)));
      return parse(resolved);
    }

    /** Parses every declared key once; the first bad value stops the collector, naming its key. */
    static CollectorConfig parse(Map<String, String> resolved) {
      List<Settings.Rejected> rejected = new ArrayList<>();
      Settings settings = Settings.parse(CollectorKeys.TABLE, resolved, rejected);
      if (!rejected.isEmpty()) {
        Settings.Rejected first = rejected.get(0);
        throw badValue(first.key().name(), first.text(), first.problem());
      }
      return new CollectorConfig(resolved, settings);
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
