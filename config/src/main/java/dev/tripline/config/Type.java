package dev.tripline.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The type of a key's value: how its text is read ({@link Grammar}) and what it must satisfy. A
 * value that does not fit throws {@link InvalidValue} saying what was expected.
 *
 * <p>Plain subclasses, no lambdas: the agent builds its key table in {@code premain}, where every
 * lambda's first use costs class spinning the application waits for.
 */
public abstract class Type<T> {
  private final String expected;

  private Type(String expected) {
    this.expected = expected;
  }

  /**
   * Reads the text; throws {@link InvalidValue} (or any runtime exception) when it does not fit.
   */
  abstract T read(String text);

  /** The value of {@code text}, or {@link InvalidValue} naming what this type expects. */
  public final T parse(String text) {
    if (text == null) {
      throw new InvalidValue(expected);
    }
    try {
      return read(text);
    } catch (InvalidValue e) {
      throw e.culprit() != null ? e : new InvalidValue(expected);
    } catch (RuntimeException e) {
      throw new InvalidValue(expected);
    }
  }

  /** "a duration such as 500ms…": for messages. */
  public final String expected() {
    return expected;
  }

  /** This type, with one more rule; {@code expected} replaces the phrase. */
  public final Type<T> where(Predicate<T> ok, String expected) {
    Type<T> inner = this;
    return new Type<T>(expected) {
      @Override
      T read(String text) {
        T v = inner.read(text);
        if (!ok.test(v)) {
          throw new InvalidValue(expected);
        }
        return v;
      }
    };
  }

  /** Milliseconds, at least {@code minMillis} (0 or 1 in practice). */
  public static Type<Long> duration(long minMillis) {
    return new Type<Long>(Grammar.DURATION) {
      @Override
      Long read(String text) {
        long ms = Grammar.durationMillis(text);
        if (ms < minMillis) {
          throw new InvalidValue(Grammar.DURATION);
        }
        return ms;
      }
    };
  }

  /** A duration of at least {@code minMillis}, as a {@link Duration} (the collector's readers). */
  public static Type<Duration> javaDuration(long minMillis) {
    Type<Long> millis = duration(minMillis);
    return new Type<Duration>(Grammar.DURATION) {
      @Override
      Duration read(String text) {
        return Duration.ofMillis(millis.read(text));
      }
    };
  }

  /** Bytes within [min, max] that are read into an int (buffer sizes, record limits). */
  public static Type<Integer> intSize(int min, int max) {
    Type<Long> bytes = size(min, max);
    return new Type<Integer>(bytes.expected()) {
      @Override
      Integer read(String text) {
        return bytes.read(text).intValue();
      }
    };
  }

  /** Bytes within [min, max]. */
  public static Type<Long> size(long min, long max) {
    return new Type<Long>(Grammar.SIZE + range(min, max, " bytes")) {
      @Override
      Long read(String text) {
        long n = Grammar.bytes(text);
        if (n < min || n > max) {
          throw new InvalidValue(expected());
        }
        return n;
      }
    };
  }

  /** A whole number within [min, max]. */
  public static Type<Integer> integer(int min, int max) {
    return new Type<Integer>(wholeNumber(min, max)) {
      @Override
      Integer read(String text) {
        long n = Grammar.wholeNumber(text, expected());
        if (n < min || n > max) {
          throw new InvalidValue(expected());
        }
        return (int) n;
      }
    };
  }

  public static Type<Double> decimal(double min, double max) {
    return new Type<Double>("a number from " + plain(min) + " to " + plain(max)) {
      @Override
      Double read(String text) {
        double d = Grammar.decimal(text, expected());
        if (d < min || d > max) {
          throw new InvalidValue(expected());
        }
        return d;
      }
    };
  }

  public static Type<Boolean> bool() {
    return new Type<Boolean>(Grammar.BOOLEAN) {
      @Override
      Boolean read(String text) {
        return Grammar.bool(text);
      }
    };
  }

  /** Any text, as given. */
  public static Type<String> text() {
    return new Type<String>("text") {
      @Override
      String read(String text) {
        return text;
      }
    };
  }

  /**
   * One of {@code values} exactly, or one of {@code prefixes} followed by something ({@code kafka},
   * {@code none}, {@code jsonl:<path>}).
   */
  public static Type<String> oneOf(List<String> values, List<String> prefixes, String expected) {
    return new Type<String>(expected) {
      @Override
      String read(String text) {
        if (values.contains(text)) {
          return text;
        }
        for (String p : prefixes) {
          if (text.startsWith(p) && text.length() > p.length()) {
            return text;
          }
        }
        throw new InvalidValue(expected);
      }
    };
  }

  /** A comma-separated list of any items. */
  public static Type<List<String>> list() {
    return new Type<List<String>>("a comma-separated list") {
      @Override
      List<String> read(String text) {
        return Grammar.list(text);
      }
    };
  }

  /** A comma-separated list of some of {@code choices} (any case); the first stranger is named. */
  public static Type<List<String>> listOf(String... choices) {
    List<String> allowed = Collections.unmodifiableList(Arrays.asList(choices));
    return new Type<List<String>>("a list of " + String.join(", ", allowed)) {
      @Override
      List<String> read(String text) {
        List<String> items = Grammar.list(text);
        for (String item : items) {
          if (!allowed.contains(item.toLowerCase(Locale.ROOT))) {
            throw new InvalidValue(expected(), Grammar.clip(item));
          }
        }
        return items;
      }
    };
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
    return max >= Long.MAX_VALUE
        ? (min > 0 ? " (at least " + min + unit + ")" : "")
        : " from " + min + " to " + max + unit;
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
