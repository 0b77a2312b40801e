package dev.tripline.collector.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The string literals of a Java source, with their line: comments and character literals skipped,
 * escapes undone ({@code \"} only: key names hold no other), text blocks read whole. Enough of
 * Java's lexical grammar to say which strings code holds; not a compiler.
 */
final class SourceStrings {
  record Literal(String text, int line) {}

  private SourceStrings() {}

  static List<Literal> literals(String src) {
    List<Literal> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (src.startsWith("//", i)) {
        i = src.indexOf('\n', i) < 0 ? src.length() : src.indexOf('\n', i);
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        end = end < 0 ? src.length() : end + 2;
        line += count(src, i, end);
        i = end;
      } else if (c == '\'') {
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != '\'') {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
      } else if (src.startsWith("\"\"\"", i)) {
        int start = src.indexOf('\n', i) + 1;
        int end = src.indexOf("\"\"\"", start);
        out.add(new Literal(src.substring(start, end), line));
        line += count(src, i, end);
        i = end + 3;
      } else if (c == '"') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != '"') {
          if (src.charAt(j) == '\\' && j + 1 < src.length()) {
            b.append('\\' == src.charAt(j + 1) || '"' == src.charAt(j + 1) ? "" : "\\");
            j++;
          }
          b.append(src.charAt(j));
          j++;
        }
        out.add(new Literal(b.toString(), line));
        i = j + 1;
      } else {
        i++;
      }
    }
    return out;
  }

  private static int count(String s, int from, int to) {
    int n = 0;
    for (int k = from; k < to; k++) {
      if (s.charAt(k) == '\n') {
        n++;
      }
    }
    return n;
  }
}
