package dev.tripline.agent.it;

import dev.tripline.kafka.Patience;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A test application in a forked JVM with the real agent attached, running until a file {@code
 * stop} appears in its directory; its output goes to {@code stdout.txt} there.
 */
abstract class ForkedApp implements AutoCloseable {
  final Path dir;
  private final Path out;
  private final Process process;

  ForkedApp(
      Path java,
      Path dir,
      List<String> agentProps,
      Map<String, String> env,
      String mainClass,
      String... args)
      throws IOException {
    Files.createDirectories(dir);
    this.dir = dir;
    this.out = dir.resolve("stdout.txt");
    ProcessBuilder pb =
        new ProcessBuilder(
                AgentRun.command(
                    java, agentProps, AgentRun.testAppJar().toString(), mainClass, args))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    // The agent sees only the variables the test gives: none of the build machine's TRIPLINE_*
    // settings.
    pb.environment().keySet().removeIf(k -> k.startsWith("TRIPLINE_"));
    pb.environment().putAll(env);
    this.process = pb.start();
  }

  final String output() throws IOException {
    return Files.exists(out) ? Files.readString(out) : "";
  }

  /** Stops the application and returns its output; it must exit normally. */
  final String stop() throws Exception {
    Files.writeString(dir.resolve("stop"), "");
    if (!process.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("application did not stop: " + output());
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("application exited " + process.exitValue() + ": " + output());
    }
    return output();
  }

  /**
   * Waits for {@code condition}; on timeout, or as soon as the application exited without it, the
   * failure shows the application's output.
   */
  final void awaitUntil(String what, Callable<Boolean> condition) throws Exception {
    try {
      Awaitility.await(what)
          .atMost(Patience.WAIT)
          .until(() -> condition.call() || !process.isAlive());
      if (!condition.call()) {
        throw new AssertionError(
            what + " did not happen: the application exited first; it said:\n" + output());
      }
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          what
              + " did not happen within "
              + Patience.WAIT.toSeconds()
              + " s; the application said:\n"
              + output(),
          e);
    }
  }

  @Override
  public final void close() {
    process.destroyForcibly();
  }
}
