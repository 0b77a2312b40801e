package dev.tripline.agent.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON parsing to read the agent's JSON lines in tests. */
final class MiniJson {
  private final String s;
  private int i;

  private MiniJson(String s) {
    this.s = s;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String line) {
    MiniJson p = new MiniJson(line);
    Object v = p.value();
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("not a JSON object: " + line);
    }
    return (Map<String, Object>) v;
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
        i++; // ':'
        m.put(key, value());
        skip();
        if (s.charAt(i++) == '}') return m;
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
        if (s.charAt(i++) == ']') return l;
      }
    }
    if (c == '"') return string();
    int start = i;
    while (i < s.length() && ",}] ".indexOf(s.charAt(i)) < 0) i++;
    String token = s.substring(start, i);
    if (token.equals("true") || token.equals("false")) return Boolean.valueOf(token);
    if (token.equals("null")) return null;
    return Long.valueOf(token);
  }

  private String string() {
    StringBuilder sb = new StringBuilder();
    i++; // opening quote
    while (s.charAt(i) != '"') {
      char c = s.charAt(i++);
      if (c == '\\') {
        char e = s.charAt(i++);
        if (e == 'u') {
          sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        } else {
          sb.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        }
      } else {
        sb.append(c);
      }
    }
    i++;
    return sb.toString();
  }

  private void skip() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
  }
}
