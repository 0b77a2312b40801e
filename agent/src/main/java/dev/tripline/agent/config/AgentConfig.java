package dev.tripline.agent.config;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Agent settings from system properties {@code tripline.<key>}, environment variables
 * {@code TRIPLINE_<KEY>} ({@code .} → {@code _}, upper case) and an optional properties file named
 * by {@code tripline.config}; a system property wins over the environment, which wins over the file.
 *
 * <p>Configuration never blinds the agent. From the environment (shared by every program in a
 * container) only the agent's own variables are read: {@code TRIPLINE_<KEY>} for each known key and
 * {@code TRIPLINE_KAFKA_*}; any other {@code TRIPLINE_*} variable belongs to someone else and is
 * ignored. An unknown {@code tripline.*} key or a bad value is a {@link #warnings() warning} naming
 * it, and the key keeps its default. Only a mistake the agent cannot work around (Kafka without an
 * address, an unreadable Kafka secret) is a {@link ConfigException}, which switches it off.
 */
public final class AgentConfig {
  public static final String PREFIX = "tripline.";
  static final String ENV_PREFIX = "TRIPLINE_";
  /** Above this the queue's array alone would take a noticeable share of the application's heap. */
  static final int MAX_QUEUE_CAPACITY = 1_000_000;
  static final int MAX_CACHE_SIZE = 1_000_000;
  /** A file full of typos must not make the heartbeat large. */
  static final int MAX_WARNINGS = 20;

  /** Known keys with their defaults ("" = unset). */
  private static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("enabled", "true");
    d.put("config", "");
    d.put("service.name", "");
    d.put("service.version", "");
    d.put("labels", "");
    d.put("sink", "kafka");
    d.put("kafka.bootstrap.servers", "");
    d.put("kafka.topic", "tripline.events");
    d.put("capture", "net,dns,file,process");
    d.put("exclude.paths", "");
    d.put("exclude.hosts", "");
    d.put("context.frames", ""); // extra code-context frames, "category=class-prefix[#method-prefix],…"
    d.put("flush.interval", "10s");
    d.put("heartbeat.interval", "30s");
    d.put("queue.capacity", "8192");
    d.put("cache.size", "4096"); // ~0.5 KB each: bounds the agent's heap (docs/benchmarks.md)
    d.put("jmx", "true");
    d.put("debug", "false");
    DEFAULTS = Collections.unmodifiableMap(d);
  }

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
    Map<String, String> fromEnv = ownEnvironment(env);
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
        warn(warnings, "config", "names a file that cannot be read: " + file.trim() + " (" + e.getClass().getSimpleName()
            + "); carrying on without it");
      }
    }
    v.putAll(fromEnv);
    v.putAll(fromSystem);
    Map<String, String> resolved = new TreeMap<>();
    for (Map.Entry<String, String> e : v.entrySet()) {
      String key = e.getKey();
      String problem = unknownKeyProblem(key);
      if (problem != null) {
        warn(warnings, key, problem + "; ignored");
        continue;
      }
      try {
        resolved.put(key, resolveSecret(key, e.getValue().trim()));
      } catch (IOException ex) {
        String what = "names a secret file that cannot be read: " + e.getValue().trim().substring(6);
        if (key.startsWith("kafka.")) {
          ConfigException fatal = new ConfigException(key, what); // Kafka without its credentials cannot deliver anything
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
      e.warnings.addAll(warnings); // said before the line that switches the agent off: they may explain it
      throw e;
    }
    return config;
  }

  /** The agent's own variables only: {@code TRIPLINE_<KEY>} of a known key, and {@code TRIPLINE_KAFKA_*}. */
  private static Map<String, String> ownEnvironment(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    for (String key : DEFAULTS.keySet()) {
      String value = env.get(envName(key));
      if (value != null) {
        out.put(key, value);
      }
    }
    String kafka = ENV_PREFIX + "KAFKA_";
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(kafka) && e.getKey().length() > kafka.length()) {
        out.putIfAbsent("kafka." + e.getKey().substring(kafka.length()).toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
      }
    }
    return out;
  }

  /** {@code service.name} → {@code TRIPLINE_SERVICE_NAME}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** Configuration problems the agent worked around, one line each (they travel in every heartbeat). */
  public List<String> warnings() {
    return warnings;
  }

  public static Set<String> knownKeys() {
    return DEFAULTS.keySet();
  }

  public String get(String key) {
    String v = values.get(key);
    return v != null ? v : DEFAULTS.getOrDefault(key, "");
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
    return parseDuration(key, get(key));
  }

  /** A validated whole-number key: its value, or its default when the value was bad. */
  public int integer(String key) {
    return parseInteger(key, get(key), Integer.MAX_VALUE);
  }

  public boolean captures(String what) {
    for (String s : get("capture").split(",")) {
      if (s.trim().equalsIgnoreCase(what)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code kafka.*} keys without the prefix, {@code topic} excluded: producer settings. */
  public Properties kafkaProducerProperties() {
    Properties p = new Properties();
    values.forEach((k, v) -> {
      if (k.startsWith("kafka.") && !k.equals("kafka.topic")) {
        p.put(k.substring(6), v);
      }
    });
    return p;
  }

  /** {@code key=value,key=value}. */
  public Map<String, String> labels() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : get("labels").split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return out;
  }

  /** Drops each bad value (so that its key keeps the default), with a warning naming it. */
  private void validate(List<String> warnings) {
    String sink = get("sink");
    if (!(sink.equals("kafka") || sink.equals("none") || (sink.startsWith("jsonl:") && sink.length() > 6))) {
      reject(warnings, "sink", "expected kafka, none or jsonl:<path>");
    }
    for (String c : get("capture").split(",")) {
      String what = c.trim().toLowerCase(Locale.ROOT);
      if (!what.isEmpty() && !CAPTURES.contains(what)) {
        reject(warnings, "capture", "names '" + clip(c.trim()) + "', expected a list of net, dns, file, process");
        break;
      }
    }
    for (String b : new String[] {"enabled", "jmx", "debug"}) {
      if (!get(b).equalsIgnoreCase("true") && !get(b).equalsIgnoreCase("false")) {
        reject(warnings, b, "expected true or false");
      }
    }
    for (String d : new String[] {"flush.interval", "heartbeat.interval"}) {
      try {
        parseDuration(d, get(d));
      } catch (ConfigException e) {
        reject(warnings, d, "expected a duration such as 500ms, 10s or 1m");
      }
    }
    checkInteger(warnings, "queue.capacity", MAX_QUEUE_CAPACITY);
    checkInteger(warnings, "cache.size", MAX_CACHE_SIZE);
    // The one mistake with no safe default: events would have nowhere to go.
    if (get("sink").equals("kafka") && get("kafka.bootstrap.servers").isEmpty()) {
      throw new ConfigException("kafka.bootstrap.servers", "is required when tripline.sink=kafka (or set tripline.sink=jsonl:<path> or none)");
    }
  }

  private static final Set<String> CAPTURES = Set.of("net", "dns", "file", "process");

  private void checkInteger(List<String> warnings, String key, int max) {
    try {
      parseInteger(key, get(key), max);
    } catch (ConfigException e) {
      reject(warnings, key, "expected a positive whole number up to " + max);
    }
  }

  private void reject(List<String> warnings, String key, String expected) {
    String bad = values.remove(key);
    if (bad != null && !expected.startsWith("names ")) {
      expected = "is '" + clip(bad) + "', " + expected;
    }
    warn(warnings, key, expected + "; using the default" + describeDefault(key));
  }

  private static String describeDefault(String key) {
    String d = DEFAULTS.getOrDefault(key, "");
    return d.isEmpty() ? "" : " " + d;
  }

  private static void warn(List<String> warnings, String key, String problem) {
    if (warnings.size() < MAX_WARNINGS) {
      warnings.add("configuration key '" + PREFIX + key + "' " + problem);
    } else if (warnings.size() == MAX_WARNINGS) {
      warnings.add("more configuration warnings left out");
    }
  }

  /** Configuration text echoed in a warning is the operator's, but keep the line one line. */
  private static String clip(String s) {
    String one = s.replaceAll("[\\p{Cntrl}]", "?");
    return one.length() <= 60 ? one : one.substring(0, 60) + "…";
  }

  static int parseInteger(String key, String text, int max) {
    try {
      int n = Integer.parseInt(text.trim());
      if (n <= 0 || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "is '" + clip(text) + "', expected a positive whole number");
    }
  }

  static long parseDuration(String key, String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      long n;
      if (s.endsWith("ms")) {
        n = Long.parseLong(s.substring(0, s.length() - 2).trim());
      } else if (s.endsWith("s")) {
        n = Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 1).trim()), 1000L);
      } else if (s.endsWith("m")) {
        n = Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 1).trim()), 60_000L);
      } else {
        throw new NumberFormatException();
      }
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(key, "is '" + clip(text) + "', expected a duration such as 500ms, 10s or 1m");
    }
  }

  /** Null for a known key; else what is wrong with it, with the nearest known key when one is close. */
  private static String unknownKeyProblem(String key) {
    if (DEFAULTS.containsKey(key) || (key.startsWith("kafka.") && key.length() > 6)) {
      return null;
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String known : DEFAULTS.keySet()) {
      int d = distance(known, key);
      if (d < bestDistance) {
        bestDistance = d;
        best = known;
      }
    }
    return "is unknown" + (bestDistance <= 3 ? " (did you mean '" + PREFIX + best + "'?)" : "");
  }

  private static Map<String, String> readFile(String file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(file)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
    Map<String, String> out = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      out.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, p.getProperty(name));
    }
    return out;
  }

  /** {@code @file:/path} reads a secret from a file (a mounted Kubernetes Secret, say). */
  private static String resolveSecret(String key, String value) throws IOException {
    if (!value.startsWith("@file:")) {
      return value;
    }
    try (InputStream in = new FileInputStream(value.substring(6))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** A configuration mistake the agent cannot work around; the message names the key and what is expected. */
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
