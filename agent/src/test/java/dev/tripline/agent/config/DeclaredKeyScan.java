package dev.tripline.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where main code names a declared key in a string literal: the scan both programs' {@code
 * KeysReadTypedTest} run (the collector's through this module's test jar). Java 11, like the agent;
 * it reads Java 17 sources too (text blocks), since it only lexes them.
 */
public final class DeclaredKeyScan {
  private DeclaredKeyScan() {}

  /**
   * "file:line: \"key\"" for every literal under {@code main} equal to a {@code declared} name,
   * outside {@code declarations} (the keys class); fails if the scan does not see that class.
   */
  public static List<String> namedIn(Path main, Path declarations, Set<String> declared)
      throws IOException {
    List<Path> sources;
    try (Stream<Path> s = Files.walk(main)) {
      sources = s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    if (!sources.contains(declarations)) {
      throw new AssertionError("the scan does not see the sources: " + declarations);
    }
    List<String> found = new ArrayList<>();
    for (Path source : sources) {
      if (source.equals(declarations)) {
        continue;
      }
      String text = new String(Files.readAllBytes(source), StandardCharsets.UTF_8);
      for (String[] literal : literals(text)) {
        if (declared.contains(literal[0])) {
          found.add(main.relativize(source) + ":" + literal[1] + ": \"" + literal[0] + "\"");
        }
      }
    }
    return found;
  }

  /**
   * The string literals of a Java source as {text, line}: comments and character literals skipped,
   * {@code \"} undone (key names hold no other escape), text blocks read whole. Enough of Java's
   * lexical grammar to say which strings code holds; not a compiler.
   */
  public static List<String[]> literals(String src) {
    List<String[]> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (src.startsWith("//", i)) {
        int end = src.indexOf('\n', i);
        i = end < 0 ? src.length() : end;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        end = end < 0 ? src.length() : end + 2;
        line += lines(src, i, end);
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
        out.add(new String[] {src.substring(start, end), Integer.toString(line)});
        line += lines(src, i, end);
        i = end + 3;
      } else if (c == '"') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != '"') {
          if (src.charAt(j) == '\\' && j + 1 < src.length()) {
            char next = src.charAt(j + 1);
            if (next != '\\' && next != '"') {
              b.append('\\');
            }
            j++;
          }
          b.append(src.charAt(j));
          j++;
        }
        out.add(new String[] {b.toString(), Integer.toString(line)});
        i = j + 1;
      } else {
        i++;
      }
    }
    return out;
  }

  private static int lines(String s, int from, int to) {
    int n = 0;
    for (int k = from; k < to; k++) {
      n += s.charAt(k) == '\n' ? 1 : 0;
    }
    return n;
  }
}
