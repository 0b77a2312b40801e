package dev.tripline.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The type of a key's value: how its text is read ({@link Grammar}) and what it must satisfy. A
 * value that does not fit throws {@link InvalidValue} saying what was expected.
 */
public final class Type<T> {
  private final Function<String, T> parser;
  private final String expected;

  private Type(Function<String, T> parser, String expected) {
    this.parser = parser;
    this.expected = expected;
  }

  /** The value of {@code text}, or {@link InvalidValue} naming what this type expects. */
  public T parse(String text) {
    if (text == null) {
      throw new InvalidValue(expected);
    }
    try {
      return parser.apply(text);
    } catch (InvalidValue e) {
      throw e.culprit() != null ? e : new InvalidValue(expected);
    } catch (RuntimeException e) {
      throw new InvalidValue(expected);
    }
  }

  /** "a duration such as 500ms…": for messages. */
  public String expected() {
    return expected;
  }

  /** This type, with one more rule; {@code expected} replaces the phrase. */
  public Type<T> where(Predicate<T> ok, String expected) {
    Function<String, T> inner = parser;
    return new Type<>(text -> {
      T v = inner.apply(text);
      if (!ok.test(v)) {
        throw new InvalidValue(expected);
      }
      return v;
    }, expected);
  }

  /** Milliseconds, at least {@code minMillis} (0 or 1 in practice). */
  public static Type<Long> duration(long minMillis) {
    return new Type<>(Grammar::durationMillis, Grammar.DURATION).where(ms -> ms >= minMillis, Grammar.DURATION);
  }

  /** Bytes within [min, max]. */
  public static Type<Long> size(long min, long max) {
    String expected = Grammar.SIZE + range(min, max, " bytes");
    return new Type<>(Grammar::bytes, expected).where(n -> n >= min && n <= max, expected);
  }

  /** A whole number within [min, max]. */
  public static Type<Integer> integer(int min, int max) {
    String expected = wholeNumber(min, max);
    return new Type<>(text -> {
      long n = Grammar.wholeNumber(text, expected);
      if (n < min || n > max) {
        throw new InvalidValue(expected);
      }
      return (int) n;
    }, expected);
  }

  public static Type<Double> decimal(double min, double max) {
    String expected = "a number from " + plain(min) + " to " + plain(max);
    return new Type<>(text -> Grammar.decimal(text, expected), expected).where(d -> d >= min && d <= max, expected);
  }

  public static Type<Boolean> bool() {
    return new Type<>(Grammar::bool, Grammar.BOOLEAN);
  }

  /** Any text, as given. */
  public static Type<String> text() {
    return new Type<>(Function.identity(), "text");
  }

  /** Any text, with one rule (a sink, an address…). */
  public static Type<String> text(Predicate<String> ok, String expected) {
    return text().where(ok, expected);
  }

  /** A comma-separated list of any items. */
  public static Type<List<String>> list() {
    return new Type<>(Grammar::list, "a comma-separated list");
  }

  /** A comma-separated list of some of {@code choices} (any case); the first stranger is named. */
  public static Type<List<String>> listOf(String... choices) {
    List<String> allowed = Collections.unmodifiableList(Arrays.asList(choices));
    String expected = "a list of " + String.join(", ", allowed);
    return new Type<>(text -> {
      List<String> items = Grammar.list(text);
      for (String item : items) {
        if (!allowed.contains(item.toLowerCase(Locale.ROOT))) {
          throw new InvalidValue(expected, Grammar.clip(item));
        }
      }
      return items;
    }, expected);
  }

  /** "a positive whole number up to 1000000", "a whole number from 0 to 65535"… */
  static String wholeNumber(long min, long max) {
    if (min == 1) {
      return "a positive whole number" + (max < Integer.MAX_VALUE ? " up to " + max : "");
    }
    if (min <= Integer.MIN_VALUE && max >= Integer.MAX_VALUE) {
      return "a whole number";
    }
    return "a whole number from " + min + " to " + max;
  }

  private static String range(long min, long max, String unit) {
    return max >= Long.MAX_VALUE ? (min > 0 ? " (at least " + min + unit + ")" : "") : " from " + min + " to " + max + unit;
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
