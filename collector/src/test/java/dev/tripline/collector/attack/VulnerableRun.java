package dev.tripline.collector.attack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.Patience;
import dev.tripline.vulnapp.VulnerableApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@link VulnerableApp} in a forked JVM with the real agent sending to the test's topics
 * (and reading its policy topic): how the attack-suite ITs (AttackSuiteIT, ProtectAttackSuiteIT)
 * run the service. It runs until stopped (its stop file), so the agent's sends never race the JVM's
 * exit.
 */
record VulnerableRun(Process process, Path out, Path stopFile, String mode) {

  /** {@code java -javaagent:…} with the agent sending to {@code f}'s topics as {@code service}. */
  static List<String> agentCommand(
      Path java, Path agent, PipelineFixtures f, String service, Path home) {
    return new ArrayList<>(
        List.of(
            java.toString(),
            "-javaagent:" + agent,
            "-Dtripline.kafka.bootstrap.servers=" + f.config.get(CollectorKeys.BOOTSTRAP_SERVERS),
            "-Dtripline.kafka.topic=" + f.config.get(CollectorKeys.TOPIC_EVENTS),
            "-Dtripline.protect.policy.topic=" + f.config.get(CollectorKeys.TOPIC_POLICY),
            "-Dtripline.service.name=" + service,
            "-Dtripline.flush.interval=500ms",
            "-Dtripline.heartbeat.interval=1s",
            "-Duser.home=" + home));
  }

  /**
   * Starts the app in {@code mode} with its arguments after the mode (see {@link VulnerableApp}),
   * its stop file and output in {@code dir}.
   */
  static VulnerableRun start(List<String> agentCommand, String mode, Path dir, List<String> args)
      throws Exception {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>(agentCommand);
    cmd.addAll(List.of("-cp", AttackSuiteIT.classpath(), VulnerableApp.class.getName(), mode));
    cmd.addAll(args);
    Path out = dir.resolve("out.txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return new VulnerableRun(p, out, dir.resolve("stop"), mode);
  }

  /** Waits until the app did its work ("VulnerableApp <mode> done"); fails if it exited first. */
  VulnerableRun awaitDone() throws IOException {
    String done = "VulnerableApp " + mode + " done";
    await().atMost(Patience.WAIT).until(() -> output().contains(done) || !process.isAlive());
    assertTrue(output().contains(done), output());
    return this;
  }

  String output() throws IOException {
    return Files.exists(out) ? Files.readString(out) : "";
  }

  void stop() throws Exception {
    Files.writeString(stopFile, "");
    if (!process.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the vulnerable app did not stop: " + output());
    }
    assertEquals(0, process.exitValue(), output());
  }
}
