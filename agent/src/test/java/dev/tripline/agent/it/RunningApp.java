package dev.tripline.agent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@link dev.tripline.testapp.LoopApp} with the real agent, writing numbered data files until
 * stopped.
 */
final class RunningApp extends ForkedApp {
  private RunningApp(Path java, Path dir, List<String> agentProps, Map<String, String> env)
      throws IOException {
    super(java, dir, agentProps, env, "dev.tripline.testapp.LoopApp", dir.toString());
  }

  static RunningApp start(Path java, Path dir, List<String> agentProps, Map<String, String> env)
      throws IOException {
    return new RunningApp(java, dir, agentProps, env);
  }

  /** Iterations the application has completed (it writes its progress every ten). */
  long progress() throws IOException {
    try {
      String s = Files.readString(dir.resolve("progress")).trim();
      return s.isEmpty() ? -1 : Long.parseLong(s);
    } catch (NoSuchFileException | NumberFormatException e) {
      return -1;
    }
  }

  Path dataFile(long i) {
    return dir.resolve("data").resolve(dev.tripline.testapp.LoopApp.name(i));
  }
}
