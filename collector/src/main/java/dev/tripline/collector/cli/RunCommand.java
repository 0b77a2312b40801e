package dev.tripline.collector.cli;

import dev.tripline.collector.CollectorApp;
import dev.tripline.collector.config.CollectorConfig;
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
}
