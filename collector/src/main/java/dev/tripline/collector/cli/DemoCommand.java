package dev.tripline.collector.cli;

import dev.tripline.collector.demo.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo}: the options of {@link Demo}, which runs the whole product in about a minute. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs a self-contained demo: embedded Kafka, collector, a sample service with the agent, an attack, the alerts.")
public final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--keep-running",
      description =
          "Keep the collector, console and sample service running after the demo (Ctrl-C stops).")
  boolean keepRunning;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Working directory of the demo. Default: a new temporary directory.")
  @Nullable Path dataDir;

  @Option(
      names = "--learning",
      paramLabel = "DURATION",
      description = "How long the profile learns before monitoring (default 15s).")
  String learning = "15s";

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "Console port (default 8470; 0 = any free port).")
  int httpPort = 8470;

  @Override
  public Integer call() throws Exception {
    Path work =
        dataDir != null
            ? Files.createDirectories(dataDir)
            : Files.createTempDirectory("tripline-demo");
    return new Demo(
            new Demo.Options(work, learning, httpPort, keepRunning), System.out, AlertText::block)
        .run();
  }
}
