package dev.tripline.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void theBuildWritesTheGateRenamedIntoEveryPackageItMayGoTo(@TempDir Path dir) throws Exception {
    Path compiled = dir.resolve("TriplineGate.class");
    Files.write(compiled, gateBytes());
    TriplineAgentGate.main(new String[] {dir.toString(), compiled.toString()});
    for (String[] candidate : TriplineAgentGate.PACKAGES) {
      String name = (candidate[0] + "." + TriplineAgentGate.NAME).replace('.', '/');
      assertArrayEquals(
          TriplineAgentGate.rename(gateBytes(), TriplineAgentGate.SOURCE, name),
          Files.readAllBytes(dir.resolve(TriplineAgentGate.prebuilt(candidate[0]))),
          name);
    }
  }

  @Test
  void withoutTheBuildsCopyPremainRenamesTheCompiledGate() throws Exception {
    // unit tests run from classes directories: no prebuilt copy, the rename happens at start-up
    String pkg = TriplineAgentGate.PACKAGES[0][0];
    assertArrayEquals(
        TriplineAgentGate.rename(
            gateBytes(),
            TriplineAgentGate.SOURCE,
            (pkg + "." + TriplineAgentGate.NAME).replace('.', '/')),
        TriplineAgentGate.renamedBytes(pkg));
  }
}
