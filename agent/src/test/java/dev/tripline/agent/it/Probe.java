package dev.tripline.agent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link dev.tripline.testapp.ProbeApp} in a forked JVM with the real agent, a chosen environment, until told to stop. */
final class Probe implements AutoCloseable {
  final Path dir;
  final Path read;
  private final Process process;
  private final Path out;

  private Probe(Path dir, Path read, Process process, Path out) {
    this.dir = dir;
    this.read = read;
    this.process = process;
    this.out = out;
  }

  static Probe start(Path java, Path dir, List<String> agentProps, Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
    Path read = dir.resolve("settings.txt");
    Files.writeString(read, "read by the probe");
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.add("-javaagent:" + AgentRun.agentJar().toAbsolutePath());
    cmd.addAll(agentProps);
    cmd.addAll(List.of("-cp", AgentRun.testAppJar().toString(), "dev.tripline.testapp.ProbeApp",
        read.toString(), dir.resolve("stop").toString()));
    Path out = dir.resolve("stdout.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TRIPLINE_"));
    pb.environment().putAll(env);
    return new Probe(dir, read, pb.start(), out);
  }

  String output() throws IOException {
    return Files.exists(out) ? Files.readString(out) : "";
  }

  /** Stops the application and returns its output; it must exit normally. */
  String stop() throws Exception {
    Files.writeString(dir.resolve("stop"), "");
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("application did not stop: " + output());
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("application exited " + process.exitValue() + ": " + output());
    }
    return output();
  }

  /** Waits for {@code condition}; on timeout the failure shows the application's output. */
  void awaitUntil(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
    try {
      org.awaitility.Awaitility.await(what).atMost(java.time.Duration.ofSeconds(60)).until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " did not happen within 60 s; the application said:\n" + output(), e);
    }
  }

  static long mbean(String out, String attribute) {
    Matcher m = Pattern.compile("MBEAN " + Pattern.quote(attribute) + "=(\\d+)").matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
    return n;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
