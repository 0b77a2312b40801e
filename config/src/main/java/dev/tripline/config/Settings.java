package dev.tripline.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of one program's declared keys, each parsed once at load through its {@link Key}'s
 * type, and read typed: {@code settings.get(CollectorKeys.HTTP_PORT)} is an {@code Integer}, never
 * a string parsed again by its reader. A key that was not given, or whose text did not fit, has its
 * default (every key has one: {@link Key#of}). What a bad value means (a warning, or a stop) is the
 * program's choice: {@link #parse} hands the {@link Rejected} texts back.
 *
 * <p>Keys under a pass-through prefix ({@code kafka.}) are no business of this class. No lambdas:
 * the agent builds its settings in {@code premain}.
 */
public final class Settings {
  private final KeyTable table;

  /** Key name → its value (given or default), for every declared key. */
  private final Map<String, Object> values;

  private Settings(KeyTable table, Map<String, Object> values) {
    this.table = table;
    this.values = values;
  }

  /**
   * Parses the texts of {@code table}'s declared keys (other names in {@code texts} are ignored); a
   * text that does not fit is added to {@code rejected}, in declaration order, and its key keeps
   * the default.
   */
  public static Settings parse(KeyTable table, Map<String, String> texts, List<Rejected> rejected) {
    Map<String, Object> values = new HashMap<>();
    for (Key<?> key : table.keys()) {
      String text = texts.get(key.name());
      Object value = key.defaultValue();
      if (text != null) {
        try {
          value = key.parse(text);
        } catch (InvalidValue e) {
          rejected.add(new Rejected(key, text, e));
        }
      }
      values.put(key.name(), value);
    }
    return new Settings(table, Collections.unmodifiableMap(values));
  }

  /** Defaults only. */
  public static Settings defaults(KeyTable table) {
    return parse(table, Collections.<String, String>emptyMap(), new ArrayList<Rejected>());
  }

  /**
   * The value of {@code key}, typed.
   *
   * @throws IllegalArgumentException when {@code key} is not one of this table's declarations (a
   *     program bug: another program's key, or a look-alike declared elsewhere)
   */
  public <T> T get(Key<T> key) {
    Object value = values.get(key.name());
    if (value == null || table.get(key.name()) != key) {
      throw new IllegalArgumentException("'" + key.name() + "' is not declared in this key table");
    }
    // Safe: the value was made by this very Key's type (checked above by identity).
    @SuppressWarnings("unchecked")
    T typed = (T) value;
    return typed;
  }

  /** A text that did not fit its key's type: the program says so in its own way. */
  public static final class Rejected {
    private final Key<?> key;
    private final String text;
    private final InvalidValue problem;

    Rejected(Key<?> key, String text, InvalidValue problem) {
      this.key = key;
      this.text = text;
      this.problem = problem;
    }

    public Key<?> key() {
      return key;
    }

    /** As given: a secret key's text must not be echoed ({@link Key#isSecret()}). */
    public String text() {
      return text;
    }

    public InvalidValue problem() {
      return problem;
    }
  }
}
