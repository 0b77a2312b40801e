package dev.tripline.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The one value grammar of the agent and the collector. Numbers are ASCII digits only (no sign, no
 * {@code _}, no other scripts' digits), so a value means what it looks like; every product is
 * checked for overflow, so {@code 999999999999h} is an error, never a wrapped number.
 *
 * <ul>
 *   <li>duration: a whole number and a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code
 *       d} (any case, a space allowed between): {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 *       {@code 7d}. A bare number is refused, as it always was: {@code 10} would be 10 ms to one
 *       reader, 10 s to another. At most {@code 1000000d} ({@link #MAX_DURATION_MILLIS}).
 *   <li>size: bytes, or a number with {@code B}, {@code KiB}, {@code MiB}, {@code GiB}: {@code
 *       65536}, {@code 512KiB}.
 *   <li>whole number: digits, with a leading {@code -} where the key allows negatives.
 *   <li>decimal: {@code 0.6}, {@code .5}, {@code 1} (no exponent, no NaN).
 *   <li>boolean: {@code true} or {@code false}, any case.
 *   <li>list: comma-separated; items trimmed, empty items dropped.
 * </ul>
 */
public final class Grammar {
  /**
   * About 2,700 years: "never" in any configuration, and far enough from {@code Long.MAX_VALUE}
   * that {@code now + duration} cannot wrap into the past anywhere a duration is added to a clock.
   */
  public static final long MAX_DURATION_MILLIS = 1_000_000L * 86_400_000L;

  public static final String DURATION =
      "a duration such as 500ms, 30s, 5m or 2h (at most 1000000d)";
  public static final String SIZE = "a size such as 65536, 512KiB or 1MiB";
  public static final String BOOLEAN = "true or false";

  /** Longer than any number we read: refused before any work (and never echoed whole). */
  static final int MAX_NUMBER_CHARS = 40;

  private Grammar() {}

  /** Milliseconds. */
  public static long durationMillis(String text) {
    String s = text.trim();
    int end = digitsEnd(s);
    String unit = unit(s, end);
    long factor;
    switch (unit) {
      case "ms":
        factor = 1L;
        break;
      case "s":
        factor = 1_000L;
        break;
      case "m":
        factor = 60_000L;
        break;
      case "h":
        factor = 3_600_000L;
        break;
      case "d":
        factor = 86_400_000L;
        break;
      default:
        throw new InvalidValue(DURATION);
    }
    long millis = multiply(digits(s.substring(0, end), DURATION), factor, DURATION);
    if (millis > MAX_DURATION_MILLIS) {
      throw new InvalidValue(DURATION);
    }
    return millis;
  }

  /** Bytes. */
  public static long bytes(String text) {
    String s = text.trim();
    int end = digitsEnd(s);
    String unit = unit(s, end);
    long factor;
    switch (unit) {
      case "":
      case "b":
        factor = 1L;
        break;
      case "kib":
        factor = 1L << 10;
        break;
      case "mib":
        factor = 1L << 20;
        break;
      case "gib":
        factor = 1L << 30;
        break;
      default:
        throw new InvalidValue(SIZE);
    }
    return multiply(digits(s.substring(0, end), SIZE), factor, SIZE);
  }

  /** A whole number, negative with a leading {@code -}. */
  public static long wholeNumber(String text, String expected) {
    String s = text.trim();
    boolean negative = s.startsWith("-");
    long n = digits(negative ? s.substring(1) : s, expected);
    return negative ? -n : n;
  }

  public static double decimal(String text, String expected) {
    String s = text.trim();
    if (s.isEmpty() || s.length() > MAX_NUMBER_CHARS) {
      throw new InvalidValue(expected);
    }
    int dots = 0;
    int digits = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c >= '0' && c <= '9') {
        digits++;
      } else {
        throw new InvalidValue(expected);
      }
    }
    if (dots > 1 || digits == 0 || s.endsWith(".")) {
      throw new InvalidValue(expected);
    }
    return Double.parseDouble(s);
  }

  public static boolean bool(String text) {
    String s = text.trim();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new InvalidValue(BOOLEAN);
  }

  /** Comma-separated items, trimmed; empty items dropped. */
  public static List<String> list(String text) {
    List<String> out = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      String t = item.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** A value echoed in a message: control characters shown as {@code ?}, cut at 60 characters. */
  public static String clip(String s) {
    return clip(s, 60);
  }

  /**
   * A value echoed in a message, kept on one line: control characters shown as {@code ?}, cut at
   * {@code max} characters.
   */
  public static String clip(String s, int max) {
    boolean cut = s.length() > max;
    StringBuilder b = new StringBuilder(Math.min(s.length(), max + 1));
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return cut ? b.append('…').toString() : b.toString();
  }

  /**
   * The unit after the number, spaces before it allowed (not other blanks: a control character is
   * no space).
   */
  private static String unit(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return s.substring(i).toLowerCase(Locale.ROOT);
  }

  /** Index of the first character after the leading ASCII digits. */
  private static int digitsEnd(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  private static long digits(String s, String expected) {
    if (s.isEmpty() || s.length() > MAX_NUMBER_CHARS) {
      throw new InvalidValue(expected);
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new InvalidValue(expected);
      }
      n = multiply(n, 10, expected);
      n += c - '0';
      if (n < 0) {
        throw new InvalidValue(expected);
      }
    }
    return n;
  }

  private static long multiply(long a, long b, String expected) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new InvalidValue(expected);
    }
  }
}
