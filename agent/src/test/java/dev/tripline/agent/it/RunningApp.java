package dev.tripline.agent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@link dev.tripline.testapp.LoopApp} running in a forked JVM with the real agent, until told to stop. */
final class RunningApp implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final Path out;

  private RunningApp(Process process, Path dir, Path out) {
    this.process = process;
    this.dir = dir;
    this.out = out;
  }

  static RunningApp start(Path java, Path dir, List<String> agentProps, Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.add("-javaagent:" + AgentRun.agentJar().toAbsolutePath());
    cmd.addAll(agentProps);
    cmd.addAll(List.of("-cp", AgentRun.testAppJar().toString(), "dev.tripline.testapp.LoopApp", dir.toString()));
    Path out = dir.resolve("stdout.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(env);
    return new RunningApp(pb.start(), dir, out);
  }

  /** Iterations the application has completed (it writes its progress every ten). */
  long progress() throws IOException {
    Path p = dir.resolve("progress");
    try {
      String s = Files.readString(p).trim();
      return s.isEmpty() ? -1 : Long.parseLong(s);
    } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
      return -1;
    }
  }

  Path dataFile(long i) {
    return dir.resolve("data").resolve(dev.tripline.testapp.LoopApp.name(i));
  }

  /** Asks the application to stop and returns its output. */
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

  String output() throws IOException {
    return Files.exists(out) ? Files.readString(out) : "";
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
