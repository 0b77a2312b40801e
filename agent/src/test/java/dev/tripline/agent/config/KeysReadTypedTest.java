package dev.tripline.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keys are declared once and read through their typed constant: no main code names a declared key
 * in a string literal (outside {@link AgentKeys}), whatever route the string would take, and {@link
 * AgentConfig} has no public lookup by name left to take it. (The collector's {@code
 * KeysReadTypedTest} holds its sources to the same, with the same {@link DeclaredKeyScan}.)
 */
class KeysReadTypedTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path DECLARATIONS = MAIN.resolve("dev/tripline/agent/config/AgentKeys.java");

  @Test
  void noMainCodeNamesADeclaredKeyInAString() throws IOException {
    assertEquals(
        List.of(),
        DeclaredKeyScan.namedIn(MAIN, DECLARATIONS, AgentKeys.TABLE.names()),
        "read a declared key as config.get(AgentKeys.X), typed, not by its name");
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
    List<String[]> l = DeclaredKeyScan.literals(java);
    assertEquals(2, l.size());
    assertEquals("kafka.topic", l.get(0)[0]);
    assertEquals("3", l.get(0)[1]);
    assertEquals("a\"b", l.get(1)[0]);
  }
}
