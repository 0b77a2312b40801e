package dev.tripline.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.DeclaredKeyScan;
import dev.tripline.config.Key;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keys are declared once and read through their typed constant: no main code names a declared key
 * in a string literal (outside {@link CollectorKeys}), whatever route the string would take ({@code
 * get("…")}, a constant holding it, a map lookup), and {@link CollectorConfig} has no public lookup
 * by name left to take it.
 */
class KeysReadTypedTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path DECLARATIONS =
      MAIN.resolve("dev/tripline/collector/config/CollectorKeys.java");

  @Test
  void noMainCodeNamesADeclaredKeyInAString() throws IOException {
    assertEquals(
        List.of(),
        DeclaredKeyScan.namedIn(MAIN, DECLARATIONS, CollectorKeys.TABLE.names()),
        "read a declared key as config.get(CollectorKeys.X), typed, not by its name");
  }

  @Test
  void collectorConfigOffersNoPublicLookupByName() {
    List<String> byName =
        Stream.of(CollectorConfig.class.getMethods())
            .filter(m -> m.getDeclaringClass() == CollectorConfig.class)
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .filter(m -> List.of(m.getParameterTypes()).contains(String.class))
            // A copy with a value written as an operator would (with) is no lookup.
            .filter(m -> m.getReturnType() != CollectorConfig.class)
            .map(Method::getName)
            .collect(Collectors.toList());
    assertEquals(List.of(), byName);
  }

  @Test
  void theScannerFindsLiteralsAndSkipsCommentsAndCharacters() {
    String java =
        "class X { // \"data.dir\" in a comment\n"
            + "  /* \"http.port\" */ char q = '\"';\n"
            + "  String a = config.get(\"topic.events\") + \"a\\\"b\";\n"
            + "  String b = \"\"\"\n    text \"block\"\n    \"\"\";\n"
            + "}\n";
    List<String[]> l = DeclaredKeyScan.literals(java);
    assertEquals(
        List.of("topic.events", "a\"b", "    text \"block\"\n    "),
        l.stream().map(literal -> literal[0]).toList());
    assertEquals("3", l.get(0)[1]);
    Key<Integer> port = CollectorKeys.HTTP_PORT;
    assertTrue(CollectorKeys.TABLE.names().contains(port.name()));
  }
}
