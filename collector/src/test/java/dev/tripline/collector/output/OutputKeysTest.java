package dev.tripline.collector.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.config.DocumentedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The output keys against docs/outputs.md, and the service glob against the worst service name. */
class OutputKeysTest {
  @Test
  void everyOutputKeyIsDocumentedWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "outputs.md"));
    String keys = doc.substring(doc.indexOf("\n## Keys"), doc.indexOf("\n## The outputs"));
    assertEquals(List.of(), DocumentedKeys.problems(OutputKeys.TABLE, keys));
  }

  @Test
  void globsMatchAsDocumented() {
    assertTrue(AlertFilter.globMatches("shop-*", "shop-eu"));
    assertFalse(AlertFilter.globMatches("shop-*", "shopfront"));
    assertTrue(AlertFilter.globMatches("?ay*", "payments"));
    assertFalse(AlertFilter.globMatches("?ay", "payments"));
    assertTrue(AlertFilter.globMatches("*", ""));
    assertTrue(AlertFilter.globMatches("a.b", "a.b"));
    assertFalse(AlertFilter.globMatches("a.b", "axb"), "a dot is a dot, not a regex");
  }

  @Test
  void theLongestGlobAgainstTheLongestHostileServiceNameStaysLinear() {
    String glob = "*a".repeat(127) + "b"; // 255 characters, the most a glob may be is 256
    String service = "a".repeat(4096); // string.max.chars: the longest name an agent gets through
    assertTimeoutPreemptively(
        Duration.ofSeconds(5), () -> assertFalse(AlertFilter.globMatches(glob, service)));
  }
}
