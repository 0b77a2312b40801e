package dev.tripline.agent.config;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 * <p>Everything is validated up front: an unknown key or a bad value is a {@link ConfigException}
 * naming the key, and the agent switches itself off rather than run half-configured.
 */
public final class AgentConfig {
  public static final String PREFIX = "tripline.";

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

  private AgentConfig(Map<String, String> values) {
    this.values = values;
  }

  /** Reads and validates the configuration of this JVM. */
  public static AgentConfig load() {
    return load(System.getProperties(), System.getenv());
  }

  public static AgentConfig load(Properties system, Map<String, String> env) {
    Map<String, String> v = new TreeMap<>();
    Map<String, String> fromEnv = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("TRIPLINE_")) {
        fromEnv.put(e.getKey().substring(9).toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
      }
    }
    Map<String, String> fromSystem = new TreeMap<>();
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith(PREFIX)) {
        fromSystem.put(name.substring(PREFIX.length()), system.getProperty(name));
      }
    }
    String file = fromSystem.getOrDefault("config", fromEnv.get("config"));
    if (file != null && !file.isEmpty()) {
      v.putAll(readFile(file));
    }
    v.putAll(fromEnv);
    v.putAll(fromSystem);
    for (String key : v.keySet()) {
      checkKey(key);
    }
    Map<String, String> resolved = new TreeMap<>();
    v.forEach((k, value) -> resolved.put(k, resolveSecret(k, value.trim())));
    AgentConfig config = new AgentConfig(resolved);
    config.validate();
    return config;
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

  public long durationMillis(String key) {
    return parseDuration(key, get(key));
  }

  public int integer(String key) {
    try {
      int n = Integer.parseInt(get(key));
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "is '" + get(key) + "', expected a positive whole number");
    }
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

  private void validate() {
    String sink = get("sink");
    if (!(sink.equals("kafka") || sink.equals("none") || (sink.startsWith("jsonl:") && sink.length() > 6))) {
      throw new ConfigException("sink", "is '" + sink + "', expected kafka, none or jsonl:<path>");
    }
    if (sink.equals("kafka") && get("kafka.bootstrap.servers").isEmpty()) {
      throw new ConfigException("kafka.bootstrap.servers", "is required when tripline.sink=kafka (or set tripline.sink=jsonl:<path> or none)");
    }
    for (String c : get("capture").split(",")) {
      String what = c.trim().toLowerCase(Locale.ROOT);
      if (!what.isEmpty() && !Set.of("net", "dns", "file", "process").contains(what)) {
        throw new ConfigException("capture", "names '" + c.trim() + "', expected a list of net, dns, file, process");
      }
    }
    for (String b : new String[] {"enabled", "jmx", "debug"}) {
      if (!get(b).equalsIgnoreCase("true") && !get(b).equalsIgnoreCase("false")) {
        throw new ConfigException(b, "is '" + get(b) + "', expected true or false");
      }
    }
    durationMillis("flush.interval");
    durationMillis("heartbeat.interval");
    integer("queue.capacity");
    integer("cache.size");
  }

  static long parseDuration(String key, String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      long n;
      if (s.endsWith("ms")) {
        n = Long.parseLong(s.substring(0, s.length() - 2).trim());
      } else if (s.endsWith("s")) {
        n = Long.parseLong(s.substring(0, s.length() - 1).trim()) * 1000;
      } else if (s.endsWith("m")) {
        n = Long.parseLong(s.substring(0, s.length() - 1).trim()) * 60_000;
      } else {
        throw new NumberFormatException();
      }
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "is '" + text + "', expected a duration such as 500ms, 10s or 1m");
    }
  }

  private static void checkKey(String key) {
    if (DEFAULTS.containsKey(key) || (key.startsWith("kafka.") && key.length() > 6)) {
      return;
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
    String hint = bestDistance <= 3 ? " (did you mean '" + PREFIX + best + "'?)" : "";
    throw new ConfigException(key, "is unknown" + hint);
  }

  private static Map<String, String> readFile(String file) {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(file)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("config", "names a file that cannot be read: " + file);
    }
    Map<String, String> out = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      out.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, p.getProperty(name));
    }
    return out;
  }

  /** {@code @file:/path} reads a secret from a file (a mounted Kubernetes Secret, say). */
  private static String resolveSecret(String key, String value) {
    if (!value.startsWith("@file:")) {
      return value;
    }
    String path = value.substring(6);
    try (InputStream in = new FileInputStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new ConfigException(key, "names a secret file that cannot be read: " + path);
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

  /** A configuration mistake; the message names the key as the user wrote it and what is expected. */
  public static final class ConfigException extends IllegalArgumentException {
    public ConfigException(String key, String problem) {
      super("configuration key '" + PREFIX + key + "' " + problem);
    }
  }
}
