package dev.tripline.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The gate's rename: the class premain defines into java.base is the compiled gate, renamed. */
class TriplineAgentGateTest {
  private static byte[] gateBytes() throws IOException {
    try (InputStream in =
        TriplineAgentGateTest.class
            .getClassLoader()
            .getResourceAsStream(TriplineAgentGate.SOURCE + ".class")) {
      return in.readAllBytes();
    }
  }

  @Test
  void theRenamedGateLoadsUnderItsNewNameAndNamesItselfNowhereElse() throws Exception {
    byte[] renamed =
        TriplineAgentGate.rename(
            gateBytes(), TriplineAgentGate.SOURCE, "dev/tripline/renamed/TriplineGate");
    assertFalse(
        new String(renamed, StandardCharsets.ISO_8859_1).contains(TriplineAgentGate.SOURCE),
        "no constant names the compiled gate any more");
    Class<?> gate =
        new ClassLoader(TriplineAgentGateTest.class.getClassLoader()) {
          Class<?> define() {
            return defineClass("dev.tripline.renamed.TriplineGate", renamed, 0, renamed.length);
          }
        }.define();
    assertEquals("dev.tripline.renamed.TriplineGate", gate.getName());
    assertEquals(0L, gate.getMethod("errors").invoke(null)); // it links and runs
    int[] d = (int[]) gate.getMethod("enter").invoke(null);
    assertEquals(1, d[0]);
  }

  @Test
  void aClassThatDoesNotNameTheGateIsRefused() {
    assertThrows(
        IOException.class,
        () -> TriplineAgentGate.rename(gateBytes(), "no/such/Name", "dev/tripline/renamed/X"));
  }
}
