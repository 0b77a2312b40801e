package dev.tripline.agent.config;

import dev.tripline.config.Grammar;
import dev.tripline.config.InvalidValue;
import dev.tripline.config.Key;
import dev.tripline.config.Secrets;
import dev.tripline.config.Settings;
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

  /** Every value as given (after secret files): the {@code kafka.*} producer settings. */
  private final Map<String, String> values;

  /** The declared keys' values, parsed once in {@link #load}; a bad one holds the default. */
  private final Settings settings;

  private final List<String> warnings;

  private AgentConfig(Map<String, String> values, Settings settings, List<String> warnings) {
    this.values = values;
    this.settings = settings;
    this.warnings = Collections.unmodifiableList(warnings);
  }

  /**
   * Reads and validates the configuration of this JVM: its environment from the process's block
   * ({@link EnvironmentBlock}: premain initialises no hooked JDK class to read it).
   */
  public static AgentConfig load() {
    return load(System.getProperties(), EnvironmentBlock.withPrefix(ENV_PREFIX));
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
    String file =
        fromSystem.getOrDefault(AgentKeys.CONFIG.name(), fromEnv.get(AgentKeys.CONFIG.name()));
    if (file != null && !file.trim().isEmpty()) {
      try {
        v.putAll(readFile(file.trim()));
      } catch (IOException e) {
        warn(
            warnings,
            AgentKeys.CONFIG.name(),
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
    AgentConfig config = new AgentConfig(resolved, parse(resolved, warnings), warnings);
    try {
      config.validate();
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

  /**
   * The value of a declared key ({@code config.get(AgentKeys.QUEUE_CAPACITY)}), parsed once at
   * load: its value, or its default when the value was bad. There is no lookup by name.
   */
  public <T> T get(Key<T> key) {
    return settings.get(key);
  }

  public boolean enabled() {
    return get(AgentKeys.ENABLED);
  }

  /** Publish the agent's meters as the MBean {@code dev.tripline:type=Agent}. */
  public boolean jmx() {
    return get(AgentKeys.JMX);
  }

  public boolean debug() {
    return get(AgentKeys.DEBUG);
  }

  /** Whether the group of hooks {@code what} ({@link AgentKeys#CAPTURES}) is woven. */
  public boolean captures(String what) {
    for (String s : get(AgentKeys.CAPTURE)) {
      if (s.equalsIgnoreCase(what)) {
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
          if (k.startsWith("kafka.") && !k.equals(AgentKeys.KAFKA_TOPIC.name())) {
            p.put(k.substring(6), v);
          }
        });
    return p;
  }

  /** {@code key=value,key=value}. */
  public Map<String, String> labels() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : get(AgentKeys.LABELS).split(",", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return out;
  }

  /**
   * Parses every declared key once; a bad value keeps the key's default, with a warning naming it.
   */
  private static Settings parse(Map<String, String> resolved, List<String> warnings) {
    List<Settings.Rejected> rejected = new ArrayList<>();
    Settings settings = Settings.parse(AgentKeys.TABLE, resolved, rejected);
    for (int i = 0; i < rejected.size(); i++) {
      Settings.Rejected r = rejected.get(i);
      InvalidValue e = r.problem();
      String what =
          e.culprit() != null
              ? "names '" + e.culprit() + "'"
              : "is '" + Grammar.clip(r.text()) + "'";
      warn(
          warnings,
          r.key().name(),
          what
              + ", expected "
              + e.expected()
              + "; using the default"
              + describeDefault(r.key().name()));
    }
    return settings;
  }

  private void validate() {
    // The one mistake with no safe default: events would have nowhere to go.
    if (get(AgentKeys.SINK).equals("kafka") && get(AgentKeys.KAFKA_BOOTSTRAP_SERVERS).isEmpty()) {
      throw new ConfigException(
          AgentKeys.KAFKA_BOOTSTRAP_SERVERS.name(),
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
