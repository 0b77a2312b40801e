package dev.tripline.config;

/**
 * One configuration key, declared once: name, type (with its validation), default, description,
 * whether its value is a secret (never echoed) and whether it may come from the environment. A
 * program declares its keys as named constants ({@code CollectorKeys.HTTP_PORT}) and reads them
 * with {@link Settings#get(Key)}, typed, never by name.
 *
 * @param <T> the type of its value
 */
public final class Key<T> {
  private final String name;
  private final Type<T> type;
  private final String defaultText;
  private final T defaultValue;
  private final String description;
  private final boolean secret;
  private final boolean fromEnvironment;

  private Key(
      String name,
      Type<T> type,
      String defaultText,
      T defaultValue,
      String description,
      boolean secret,
      boolean fromEnvironment) {
    this.name = name;
    this.type = type;
    this.defaultText = defaultText;
    this.defaultValue = defaultValue;
    this.description = description;
    this.secret = secret;
    this.fromEnvironment = fromEnvironment;
  }

  /**
   * Declares a key.
   *
   * @param defaultText the default as it would be written ({@code "10s"}); {@code ""} = unset, for
   *     a type where the empty text means something (empty text, an empty list)
   * @throws IllegalStateException when the default does not fit the type (a declaration bug): so
   *     every key has a value, and a reader never meets "no value"
   */
  public static <T> Key<T> of(String name, Type<T> type, String defaultText, String description) {
    if (name.isEmpty() || !name.equals(name.trim()) || name.contains("_")) {
      throw new IllegalStateException("key name '" + name + "': lower case words joined by '.'");
    }
    T defaultValue;
    try {
      defaultValue = type.parse(defaultText);
    } catch (InvalidValue e) {
      throw new IllegalStateException(
          "default of '" + name + "' ('" + defaultText + "') is not " + e.expected(), e);
    }
    return new Key<>(name, type, defaultText, defaultValue, description, false, true);
  }

  /** A copy whose value is never echoed (tokens, passwords). */
  public Key<T> secret() {
    return new Key<>(name, type, defaultText, defaultValue, description, true, fromEnvironment);
  }

  /** A copy that the environment cannot set (only a property, a file or a flag). */
  public Key<T> notFromEnvironment() {
    return new Key<>(name, type, defaultText, defaultValue, description, secret, false);
  }

  /** The value of {@code text}, or {@link InvalidValue} saying what is expected. */
  public T parse(String text) {
    return type.parse(text);
  }

  public String name() {
    return name;
  }

  public Type<T> type() {
    return type;
  }

  /** As written in the documentation; {@code ""} when unset (or computed at run time). */
  public String defaultText() {
    return defaultText;
  }

  /** The default, parsed once at declaration. */
  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  public boolean isSecret() {
    return secret;
  }

  public boolean fromEnvironment() {
    return fromEnvironment;
  }

  @Override
  public String toString() {
    return name;
  }
}
