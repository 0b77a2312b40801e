package dev.tripline.callsites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.it.OnEveryJdk;
import dev.tripline.model.CallSite;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** {@link WalkAgreement} on every JDK of the machine: virtual threads exist only from 21. */
class CallSitesAcrossJdksTest {
  @OnEveryJdk
  void bothWalksAgreeOnEveryWorkerThread(Path java) throws Exception {
    String classpath =
        Stream.of(
                CallSites.class,
                WalkAgreement.class,
                CallSite.class,
                com.google.protobuf.Message.class)
            .map(c -> c.getProtectionDomain().getCodeSource().getLocation().getPath())
            .distinct()
            .collect(Collectors.joining(File.pathSeparator));
    Process p =
        new ProcessBuilder(java.toString(), "-cp", classpath, WalkAgreement.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().collect(Collectors.toList());
    assertTrue(lines.contains("executor executor agree"), out);
    assertTrue(lines.contains("fork-join fork-join agree"), out);
    assertTrue(lines.contains("main - agree"), out);
    assertTrue(
        lines.contains("virtual virtual-thread agree") || lines.contains("virtual none"), out);
    assertEquals(
        !isAtLeast21(java),
        out.contains("virtual none"),
        "virtual threads are tested where they exist: " + out);
  }

  private static boolean isAtLeast21(Path java) throws Exception {
    Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
    String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("version \"(\\d+)").matcher(v);
    return m.find() && Integer.parseInt(m.group(1)) >= 21;
  }
}
