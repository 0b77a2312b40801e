package dev.tripline.collector.cli;

import dev.tripline.collector.CollectorApp;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code run}: the collector as a long-running service, until SIGINT/SIGTERM. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the collector: learns each service's profile from the agents' events and raises alerts.",
      "Without --bootstrap-servers it starts an embedded single-node Kafka (KRaft) in --data-dir",
      "and prints its address, so agents can point at it."
    })
public final class RunCommand implements Callable<Integer> {

  @Mixin CollectorOptions options;

  @Override
  public Integer call() throws Exception {
    CollectorConfig config = options.load();
    CountDownLatch stopped = new CountDownLatch(1);
    CollectorApp app = new CollectorApp(config, System.out);
    Thread hook =
        new Thread(
            () -> {
              System.out.println("Shutting down…");
              haltAfter(config.get(CollectorKeys.SHUTDOWN_TIMEOUT));
              app.close();
              System.out.println("Stopped.");
              stopped.countDown();
            },
            "tripline-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    app.start();
    System.out.println(
        "Tripline collector running. Kafka bootstrap servers: " + app.bootstrapServers());
    System.out.println(
        "Point agents at it: -Dtripline.kafka.bootstrap.servers=" + app.bootstrapServers());
    System.out.println("Press Ctrl-C to stop.");
    stopped.await();
    return 0;
  }

  /**
   * A stop must stop: closing waits on Kafka Streams threads and the embedded broker, and a JVM
   * thrashing near its heap limit (or a thread that never returns) would otherwise keep it alive
   * after SIGTERM. Past the timeout the JVM is halted, with the exit code of a SIGTERM.
   */
  private static void haltAfter(java.time.Duration timeout) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(timeout.toMillis()); // a deadline, not a wait for a condition
              } catch (InterruptedException e) {
                return;
              }
              System.err.println(
                  "[tripline] still closing after " + timeout.toSeconds() + " s: halting the JVM");
              Runtime.getRuntime().halt(143);
            },
            "tripline-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
