package dev.tripline.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentBlockTest {
  private static byte[] block(String... entries) {
    return (String.join("\0", entries) + "\0").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsThisProcessAsSystemGetenvDoes() {
    assertEquals(System.getenv(), EnvironmentBlock.withPrefix(""));
  }

  @Test
  void keepsOnlyThePrefixedVariables() {
    Map<String, String> out =
        EnvironmentBlock.parse(
            block("PATH=/bin", "TRIPLINE_SINK=none", "XTRIPLINE_A=1", "TRIPLINE_=empty name"),
            "TRIPLINE_",
            StandardCharsets.UTF_8);
    assertEquals(Map.of("TRIPLINE_SINK", "none", "TRIPLINE_", "empty name"), out);
  }

  @Test
  void splitsAsTheJdkDoes() {
    Map<String, String> out =
        EnvironmentBlock.parse(
            block("A=1=2", "B=", "NOEQUALS", "=x", "A=second", "C=ü"), "", StandardCharsets.UTF_8);
    // the first '=' splits; no '=' is no variable; the first of a name given twice wins
    assertEquals(Map.of("A", "1=2", "B", "", "", "x", "C", "ü"), out);
  }

  @Test
  void anUnterminatedLastEntryAndAnEmptyBlockAreRead() {
    byte[] unterminated = "A=1\0B=2".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        Map.of("A", "1", "B", "2"),
        EnvironmentBlock.parse(unterminated, "", StandardCharsets.UTF_8));
    assertTrue(EnvironmentBlock.parse(new byte[0], "", StandardCharsets.UTF_8).isEmpty());
  }

  @Test
  void aBlockLargerThanTheCapIsNotReadHere(@TempDir Path dir) throws IOException {
    Path big = dir.resolve("environ");
    Files.write(big, new byte[EnvironmentBlock.MAX_BYTES + 1]);
    assertNull(EnvironmentBlock.read(big.toString()));
    Path fits = dir.resolve("fits");
    Files.write(fits, block("A=1"));
    assertEquals(4, EnvironmentBlock.read(fits.toString()).length);
    assertNull(EnvironmentBlock.read(dir.resolve("missing").toString()));
  }
}
