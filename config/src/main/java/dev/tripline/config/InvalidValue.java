package dev.tripline.config;

import org.jspecify.annotations.Nullable;

/**
 * A value that does not fit its key's type. The message is what the key expects ("a duration such
 * as 500ms, 30s, 5m or 2h"), so each side can say it in its own line: the agent warns and keeps the
 * default, the collector stops.
 */
public final class InvalidValue extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String expected;
  private final @Nullable String culprit;

  public InvalidValue(String expected) {
    this(expected, null);
  }

  /**
   * @param culprit the one list item at fault, said instead of the whole value (or null)
   */
  public InvalidValue(String expected, @Nullable String culprit) {
    super(expected);
    this.expected = expected;
    this.culprit = culprit;
  }

  /** What the key expects, without the value. */
  public String expected() {
    return expected;
  }

  /** The list item at fault, or null when the value as a whole is bad. */
  public @Nullable String culprit() {
    return culprit;
  }
}
