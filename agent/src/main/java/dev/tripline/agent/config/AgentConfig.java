package dev.tripline.agent.config;

import dev.tripline.config.Grammar;
import dev.tripline.config.InvalidValue;
import dev.tripline.config.Key;
import dev.tripline.config.Secrets;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Agent settings from system properties {@code tripline.<key>}, environment variables {@code
 * TRIPLINE_<KEY>} ({@code .} → {@code _}, upper case) and an optional properties file named by
 * {@code tripline.config}; a system property wins over the environment, which wins over the file.
 *
 * <p>Configuration never blinds the agent. From the environment (shared by every program in a
 * container) only the agent's own variables are read: {@code TRIPLINE_<KEY>} for each known key and
 * {@code TRIPLINE_KAFKA_*}; any other {@code TRIPLINE_*} variable belongs to someone else and is
 * ignored. An unknown {@code tripline.*} key or a bad value is a {@link #warnings() warning} naming
 * it, and the key keeps its default. Only a mistake the agent cannot work around (Kafka without an
 * address, an unreadable Kafka secret) is a {@link ConfigException}, which switches it off.
 *
 * <p>The keys are declared in {@link AgentKeys}; values are read with the grammar the collector
 * uses too ({@code dev.tripline.config.Grammar}).
 */
public final class AgentConfig {
  public static final String PREFIX = "tripline.";
  static final String ENV_PREFIX = "TRIPLINE_";
  static final int MAX_QUEUE_CAPACITY = AgentKeys.MAX_QUEUE_CAPACITY;
  static final int MAX_CACHE_SIZE = AgentKeys.MAX_CACHE_SIZE;

  /** A file full of typos must not make the heartbeat large. */
  static final int MAX_WARNINGS = 20;

  private final Map<String, String> values;
  private final List<String> warnings;

  private AgentConfig(Map<String, String> values, List<String> warnings) {
    this.values = values;
    this.warnings = Collections.unmodifiableList(warnings);
  }

  /** Reads and validates the configuration of this JVM. */
  public static AgentConfig load() {
    return load(System.getProperties(), System.getenv());
  }

  /**
   * Reads and validates; bad parts become {@link #warnings()}.
   *
   * @throws ConfigException only when the agent cannot work at all
   */
  public static AgentConfig load(Properties system, Map<String, String> env) {
    List<String> warnings = new ArrayList<>();
    Map<String, String> fromEnv = AgentKeys.TABLE.fromEnvironment(env);
    Map<String, String> fromSystem = new TreeMap<>();
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith(PREFIX)) {
        fromSystem.put(name.substring(PREFIX.length()), system.getProperty(name));
      }
    }
    Map<String, String> v = new TreeMap<>();
    String file = fromSystem.getOrDefault("config", fromEnv.get("config"));
    if (file != null && !file.trim().isEmpty()) {
      try {
        v.putAll(readFile(file.trim()));
      } catch (IOException e) {
        warn(
            warnings,
            "config",
            "names a file that cannot be read: "
                + Grammar.clip(file.trim(), 300)
                + " ("
                + e.getClass().getSimpleName()
                + "); carrying on without it");
      }
    }
    v.putAll(fromEnv);
    v.putAll(fromSystem);
    Map<String, String> resolved = new TreeMap<>();
    for (Map.Entry<String, String> e : v.entrySet()) {
      String key = e.getKey();
      if (!AgentKeys.TABLE.isKnown(key)) {
        String near = AgentKeys.TABLE.suggest(key);
        warn(
            warnings,
            key,
            "is unknown"
                + (near != null ? " (did you mean '" + PREFIX + near + "'?)" : "")
                + "; ignored");
        continue;
      }
      String value = e.getValue().trim();
      try {
        resolved.put(key, Secrets.resolve(value));
      } catch (IOException ex) {
        String what =
            "names a secret file that cannot be read: " + Grammar.clip(Secrets.path(value), 300);
        if (key.startsWith("kafka.")) {
          ConfigException fatal =
              new ConfigException(
                  key, what); // Kafka without its credentials cannot deliver anything
          fatal.warnings.addAll(warnings);
          throw fatal;
        }
        warn(warnings, key, what + "; using the default" + describeDefault(key));
      }
    }
    AgentConfig config = new AgentConfig(resolved, warnings);
    try {
      config.validate(warnings);
    } catch (ConfigException e) {
      e.warnings.addAll(
          warnings); // said before the line that switches the agent off: they may explain it
      throw e;
    }
    return config;
  }

  /** {@code service.name} → {@code TRIPLINE_SERVICE_NAME}. */
  public static String envName(String key) {
    return AgentKeys.TABLE.envName(key);
  }

  /**
   * True when the agent reads this environment variable as one of its settings ({@code
   * TRIPLINE_KAFKA_*} included).
   */
  public static boolean ownsEnvironmentVariable(String name) {
    return AgentKeys.TABLE.keyOf(name) != null;
  }

  /**
   * Configuration problems the agent worked around, one line each (they travel in every heartbeat).
   */
  public List<String> warnings() {
    return warnings;
  }

  public static Set<String> knownKeys() {
    return AgentKeys.TABLE.names();
  }

  public String get(String key) {
    String v = values.get(key);
    if (v != null) {
      return v;
    }
    Key<?> declared = AgentKeys.TABLE.get(key);
    return declared == null ? "" : declared.defaultText();
  }

  public boolean enabled() {
    return Boolean.parseBoolean(get("enabled"));
  }

  /** Publish the agent's meters as the MBean {@code dev.tripline:type=Agent}. */
  public boolean jmx() {
    return Boolean.parseBoolean(get("jmx"));
  }

  public boolean debug() {
    return Boolean.parseBoolean(get("debug"));
  }

  /** A validated duration key: its value, or its default when the value was bad. */
  public long durationMillis(String key) {
    return ((Number) typed(key)).longValue();
  }

  /** A validated whole-number key: its value, or its default when the value was bad. */
  public int integer(String key) {
    return ((Number) typed(key)).intValue();
  }

  public boolean captures(String what) {
    for (String s : get("capture").split(",", -1)) {
      if (s.trim().equalsIgnoreCase(what)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code kafka.*} keys without the prefix, {@code topic} excluded: producer settings. */
  public Properties kafkaProducerProperties() {
    Properties p = new Properties();
    values.forEach(
        (k, v) -> {
          if (k.startsWith("kafka.") && !k.equals("kafka.topic")) {
            p.put(k.substring(6), v);
          }
        });
    return p;
  }

  /** {@code key=value,key=value}. */
  public Map<String, String> labels() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : get("labels").split(",", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return out;
  }

  /** The value of a declared key through its type (validated at load, so it parses). */
  private Object typed(String key) {
    Key<?> declared = AgentKeys.TABLE.get(key);
    if (declared == null) {
      throw new ConfigException(key, "is not one of the agent's keys");
    }
    String text = get(key);
    try {
      return declared.parse(text);
    } catch (InvalidValue e) {
      throw new ConfigException(key, "is '" + Grammar.clip(text) + "', expected " + e.expected());
    }
  }

  /** Drops each bad value (so that its key keeps the default), with a warning naming it. */
  private void validate(List<String> warnings) {
    for (Key<?> key : AgentKeys.TABLE.keys()) {
      String text = values.get(key.name());
      if (text == null) {
        continue;
      }
      try {
        key.parse(text);
      } catch (InvalidValue e) {
        values.remove(key.name());
        String what =
            e.culprit() != null ? "names '" + e.culprit() + "'" : "is '" + Grammar.clip(text) + "'";
        warn(
            warnings,
            key.name(),
            what
                + ", expected "
                + e.expected()
                + "; using the default"
                + describeDefault(key.name()));
      }
    }
    // The one mistake with no safe default: events would have nowhere to go.
    if (get("sink").equals("kafka") && get("kafka.bootstrap.servers").isEmpty()) {
      throw new ConfigException(
          "kafka.bootstrap.servers",
          "is required when tripline.sink=kafka (or set tripline.sink=jsonl:<path> or none)");
    }
  }

  private static String describeDefault(String key) {
    Key<?> declared = AgentKeys.TABLE.get(key);
    return declared == null || declared.defaultText().isEmpty() ? "" : " " + declared.defaultText();
  }

  private static void warn(List<String> warnings, String key, String problem) {
    if (warnings.size() < MAX_WARNINGS) {
      warnings.add("configuration key '" + PREFIX + Grammar.clip(key, 100) + "' " + problem);
    } else if (warnings.size() == MAX_WARNINGS) {
      warnings.add("more configuration warnings left out");
    }
  }

  private static Map<String, String> readFile(String file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(file)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
    Map<String, String> out = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      out.put(
          name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, p.getProperty(name));
    }
    return out;
  }

  /**
   * A configuration mistake the agent cannot work around; the message names the key and what is
   * expected.
   */
  public static final class ConfigException extends IllegalArgumentException {
    /** Warnings collected before this mistake. */
    final List<String> warnings = new ArrayList<>();

    public ConfigException(String key, String problem) {
      super("configuration key '" + PREFIX + key + "' " + problem);
    }

    public List<String> warnings() {
      return warnings;
    }
  }
}
