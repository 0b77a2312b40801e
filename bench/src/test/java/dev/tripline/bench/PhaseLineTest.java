package dev.tripline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-up harness reads the agent's per-phase line generically, and tolerates its absence. */
class PhaseLineTest {
  @Test
  void readsEveryPairInOrderAndTakesMedians() {
    Map<String, Stats> phases = new LinkedHashMap<>();
    assertTrue(
        StartupBench.parsePhases(
            List.of("noise", "[tripline] startup ms: bridge=3 weave=25 premain=40 pipeline=180"),
            phases));
    assertTrue(
        StartupBench.parsePhases(
            List.of("[tripline] startup ms: bridge=5 weave=21 premain=44 pipeline=170 jar_open=7"),
            phases));
    assertTrue(
        StartupBench.parsePhases(
            List.of("[tripline] startup ms: bridge=4 weave=30 premain=41 pipeline=175"), phases));
    assertEquals(
        List.of("bridge", "weave", "premain", "pipeline", "jar_open"),
        List.copyOf(phases.keySet()));
    assertEquals("4 (3–5)", phases.get("bridge").cell(0));
    assertEquals("25 (21–30)", phases.get("weave").cell(0));
    assertEquals(1, phases.get("jar_open").count());
  }

  @Test
  void noLineIsNoPhase() {
    Map<String, Stats> phases = new LinkedHashMap<>();
    assertFalse(
        StartupBench.parsePhases(List.of("[tripline] agent started: sink=none, hooks 12"), phases));
    assertTrue(phases.isEmpty());
  }

  @Test
  void onlyTheFirstLineOfALaunchCounts() {
    Map<String, Stats> phases = new LinkedHashMap<>();
    StartupBench.parsePhases(
        List.of("[tripline] startup ms: weave=10", "[tripline] startup ms: weave=99"), phases);
    assertEquals("10 (10–10)", phases.get("weave").cell(0));
  }

  @Test
  void ratiosAreOfMedians() {
    Stats base = new Stats();
    Stats with = new Stats();
    for (int v : new int[] {100, 110, 1000}) {
      base.add(v);
      with.add(v * 3);
    }
    assertEquals("×3.00", with.ratioTo(base));
    assertEquals("n/a", new Stats().ratioTo(base));
  }
}
