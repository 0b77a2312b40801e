package dev.tripline.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The keys of one program (the agent's, the collector's), in declaration order, with the rules
 * every program shares: which names are known (declared, or under a pass-through prefix such as
 * {@code kafka.}), how a key maps to its environment variable ({@code foo.bar} ↔ {@code
 * TRIPLINE_FOO_BAR}) and which near name to suggest for a typo.
 */
public final class KeyTable {
  /**
   * Names longer than this are nobody's key: no suggestion (its cost grows with the length), no
   * environment lookup.
   */
  static final int MAX_NAME_CHARS = 200;

  private static final int MAX_SUGGESTION_DISTANCE = 3;

  private final String envPrefix;
  private final List<String> passThrough;
  private final Map<String, Key<?>> keys;

  private KeyTable(String envPrefix, List<String> passThrough, Map<String, Key<?>> keys) {
    this.envPrefix = envPrefix;
    this.passThrough = passThrough;
    this.keys = keys;
  }

  /**
   * A table of {@code keys}, each declared once.
   *
   * @param envPrefix {@code TRIPLINE_}
   * @param passThrough prefixes whose every key is known and passed on as is ({@code kafka.})
   */
  public static KeyTable of(String envPrefix, List<String> passThrough, List<Key<?>> keys) {
    Map<String, Key<?>> m = new LinkedHashMap<>();
    for (Key<?> k : keys) {
      if (m.put(k.name(), k) != null) {
        throw new IllegalStateException("key '" + k.name() + "' is declared twice");
      }
    }
    return new KeyTable(envPrefix, List.copyOf(passThrough), Collections.unmodifiableMap(m));
  }

  /** The declaration of {@code name}, or null (undeclared, or under a pass-through prefix). */
  public @Nullable Key<?> get(String name) {
    return keys.get(name);
  }

  public Collection<Key<?>> keys() {
    return keys.values();
  }

  public Set<String> names() {
    return keys.keySet();
  }

  /** Declared, or under a pass-through prefix with something after it. */
  public boolean isKnown(String name) {
    return keys.containsKey(name) || passedThrough(name);
  }

  public boolean passedThrough(String name) {
    for (String p : passThrough) {
      if (name.startsWith(p) && name.length() > p.length()) {
        return true;
      }
    }
    return false;
  }

  /** {@code service.name} → {@code TRIPLINE_SERVICE_NAME}. */
  public String envName(String key) {
    return envPrefix + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /**
   * {@code TRIPLINE_SERVICE_NAME} → {@code service.name}; null when the variable is not in this
   * program's canonical form (prefix, upper case, {@code _}) or names no key of this program.
   */
  public @Nullable String keyOf(String envName) {
    if (!envName.startsWith(envPrefix)
        || envName.length() > MAX_NAME_CHARS
        || envName.length() == envPrefix.length()) {
      return null;
    }
    String key = envName.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    if (!envName.equals(envName(key)) || !isKnown(key)) {
      return null;
    }
    Key<?> declared = keys.get(key);
    return declared == null || declared.fromEnvironment() ? key : null;
  }

  /**
   * This program's own variables, as keys: the environment is shared by every program in a
   * container, so every other {@code TRIPLINE_*} variable is someone else's and is left alone,
   * silently.
   */
  public Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = e.getKey();
      if (name != null && e.getValue() != null && name.startsWith(envPrefix)) {
        String key = keyOf(name);
        if (key != null) {
          out.put(key, e.getValue());
        }
      }
    }
    return out;
  }

  /** The declared key nearest to {@code unknown} (a typo), or null when none is close. */
  public @Nullable String suggest(String unknown) {
    if (unknown.length() > MAX_NAME_CHARS) {
      return null;
    }
    @Nullable String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String known : keys.keySet()) {
      int d = distance(known, unknown);
      if (d < bestDistance) {
        bestDistance = d;
        best = known;
      }
    }
    return bestDistance <= MAX_SUGGESTION_DISTANCE ? best : null;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
