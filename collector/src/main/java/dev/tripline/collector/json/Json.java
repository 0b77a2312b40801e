package dev.tripline.collector.json;

import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON from plain Java values: {@link Map} (objects, insertion order kept), {@link Iterable}
 * and arrays, {@link CharSequence}, {@link Number}, {@link Boolean} and null. Small on purpose: the
 * collector builds documents (alerts for SIEMs, API answers) as maps and never needs a data binder.
 */
public final class Json {
  private Json() {}

  public static String write(Object value) {
    StringBuilder sb = new StringBuilder(256);
    write(sb, value);
    return sb.toString();
  }

  public static void write(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof CharSequence || value instanceof Enum<?> || value instanceof Character) {
      string(sb, value.toString());
    } else if (value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      sb.append("null");
    } else if (value instanceof Float f && (f.isNaN() || f.isInfinite())) {
      sb.append("null");
    } else if (value instanceof Number) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) sb.append(',');
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof Iterable<?> it) {
      sb.append('[');
      Iterator<?> i = it.iterator();
      while (i.hasNext()) {
        write(sb, i.next());
        if (i.hasNext()) sb.append(',');
      }
      sb.append(']');
    } else if (value instanceof Object[] arr) {
      write(sb, java.util.Arrays.asList(arr));
    } else {
      string(sb, value.toString());
    }
  }

  public static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<' -> sb.append("\\u003c"); // safe to embed in HTML
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
