package dev.tripline.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keys are declared once and read through their typed constant: no main code names a declared key
 * in a string literal (outside {@link AgentKeys}), whatever route the string would take, and {@link
 * AgentConfig} has no public lookup by name left to take it. (The collector's {@code
 * KeysReadTypedTest} holds its sources to the same; this module compiles to Java 11, hence its own
 * small scanner.)
 */
class KeysReadTypedTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path DECLARATIONS = MAIN.resolve("dev/tripline/agent/config/AgentKeys.java");

  @Test
  void noMainCodeNamesADeclaredKeyInAString() throws IOException {
    Set<String> declared = AgentKeys.TABLE.names();
    List<Path> sources;
    try (Stream<Path> s = Files.walk(MAIN)) {
      sources = s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    assertTrue(sources.contains(DECLARATIONS), "the scan sees the sources: " + MAIN);
    List<String> found = new ArrayList<>();
    for (Path source : sources) {
      if (source.equals(DECLARATIONS)) {
        continue;
      }
      String text = new String(Files.readAllBytes(source), StandardCharsets.UTF_8);
      for (String[] literal : literals(text)) {
        if (declared.contains(literal[0])) {
          found.add(MAIN.relativize(source) + ":" + literal[1] + ": \"" + literal[0] + "\"");
        }
      }
    }
    assertEquals(
        List.of(), found, "read a declared key as config.get(AgentKeys.X), typed, not by its name");
  }

  @Test
  void agentConfigOffersNoPublicLookupByName() {
    List<String> byName =
        Arrays.stream(AgentConfig.class.getMethods())
            .filter(m -> m.getDeclaringClass() == AgentConfig.class)
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .filter(m -> Arrays.asList(m.getParameterTypes()).contains(String.class))
            // captures("file") names a group of hooks, a value of the capture key, not a key
            .filter(m -> !m.getName().equals("captures"))
            .map(Method::getName)
            .collect(Collectors.toList());
    assertEquals(List.of(), byName);
  }

  @Test
  void theScannerFindsLiteralsAndSkipsCommentsAndCharacters() {
    String java =
        "class X { // \"sink\" in a comment\n"
            + "  /* \"jmx\" */ char q = '\"';\n"
            + "  String a = config.get(\"kafka.topic\") + \"a\\\"b\";\n"
            + "}\n";
    List<String[]> l = literals(java);
    assertEquals(2, l.size());
    assertEquals("kafka.topic", l.get(0)[0]);
    assertEquals("3", l.get(0)[1]);
    assertEquals("a\"b", l.get(1)[0]);
  }

  /**
   * The string literals of a Java source as {text, line}: comments and character literals skipped,
   * {@code \"} undone (key names hold no other escape). No text blocks: this module is Java 11.
   */
  static List<String[]> literals(String src) {
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
        for (int k = i; k < end; k++) {
          line += src.charAt(k) == '\n' ? 1 : 0;
        }
        i = end;
      } else if (c == '\'') {
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != '\'') {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
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
}
