package dev.tripline.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a newcomer runs it: the demo finishes by itself and shows the
 * three alerts.
 */
class DemoIT {

  @Test
  void demoShowsTheThreeAttackAlertsWithTheirCallSites(@TempDir Path work) throws Exception {
    Path log = work.resolve("demo.out");
    Process p =
        new ProcessBuilder(
                RunCommandIT.java(),
                "-jar",
                RunCommandIT.jar(),
                "demo",
                "--data-dir",
                work.resolve("demo").toString(),
                "--http-port",
                "0",
                "--learning",
                "8s")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = p.waitFor(4, TimeUnit.MINUTES);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (!finished) {
      p.destroyForcibly();
    }
    assertTrue(finished, "demo finishes by itself:\n" + out);
    assertEquals(0, p.exitValue(), out);
    // One alert block per attack step, each naming the vulnerable endpoint's code as the call site.
    assertTrue(out.contains("NEW_CONNECTION"), out);
    assertTrue(out.contains(".aws/credentials"), out);
    assertTrue(out.contains("/bin/sh"), out);
    long callSites =
        out.lines()
            .filter(l -> l.contains("call site") && l.contains("CheckoutService.debug"))
            .count();
    assertTrue(callSites >= 3, "each alert names CheckoutService.debug as its call site:\n" + out);
    assertTrue(out.contains("demo-service.jar"), "the jar of the call site is named:\n" + out);
    assertTrue(out.contains("Console: http"), out);
    // One output without setup: the signed webhook's receiver printed what it got.
    assertTrue(
        out.lines()
            .anyMatch(
                l -> l.contains("→ webhook received (signature ok): ") && l.contains(" checkout ")),
        out);
    java.util.regex.Matcher delivered =
        java.util.regex.Pattern.compile("Webhook output 'demo-webhook': (\\d+) signed")
            .matcher(out);
    assertTrue(delivered.find() && Integer.parseInt(delivered.group(1)) >= 3, out);
    assertTrue(out.contains("Demo finished."), out);
  }
}
