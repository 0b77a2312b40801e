package dev.tripline.collector.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON into the plain values {@link Json} writes: {@link Map} (order kept), {@link List},
 * {@link String}, {@link Long} or {@link Double}, {@link Boolean} and null. For the CLI, which reads
 * the collector's own API answers.
 */
public final class JsonReader {
  private final String s;
  private int i;

  private JsonReader(String s) {
    this.s = s;
  }

  public static Object parse(String json) {
    JsonReader r = new JsonReader(json);
    try {
      Object v = r.value();
      r.skip();
      if (r.i != json.length()) {
        throw r.error("trailing characters");
      }
      return v;
    } catch (StringIndexOutOfBoundsException e) {
      throw r.error("unexpected end");
    }
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(String json) {
    Object v = parse(json);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> array(String json) {
    Object v = parse(json);
    if (!(v instanceof List)) {
      throw new IllegalArgumentException("expected a JSON array");
    }
    return (List<Object>) v;
  }

  private Object value() {
    skip();
    char c = s.charAt(i);
    if (c == '{') {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      skip();
      if (s.charAt(i) == '}') {
        i++;
        return m;
      }
      while (true) {
        skip();
        String key = string();
        skip();
        expect(':');
        m.put(key, value());
        skip();
        char next = s.charAt(i++);
        if (next == '}') return m;
        if (next != ',') throw error("expected , or }");
      }
    }
    if (c == '[') {
      List<Object> l = new ArrayList<>();
      i++;
      skip();
      if (s.charAt(i) == ']') {
        i++;
        return l;
      }
      while (true) {
        l.add(value());
        skip();
        char next = s.charAt(i++);
        if (next == ']') return l;
        if (next != ',') throw error("expected , or ]");
      }
    }
    if (c == '"') return string();
    int start = i;
    while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) i++;
    String token = s.substring(start, i);
    switch (token) {
      case "true": return Boolean.TRUE;
      case "false": return Boolean.FALSE;
      case "null": return null;
      default:
        try {
          return token.matches("-?\\d+") ? (Object) Long.valueOf(token) : (Object) Double.valueOf(token);
        } catch (NumberFormatException e) {
          throw error("unexpected '" + token + "'");
        }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (s.charAt(i) != '"') {
      char c = s.charAt(i++);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        default -> sb.append(e);
      }
    }
    i++;
    return sb.toString();
  }

  private void expect(char c) {
    if (s.charAt(i) != c) throw error("expected " + c);
    i++;
  }

  private void skip() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("malformed JSON at " + i + ": " + what);
  }
}
