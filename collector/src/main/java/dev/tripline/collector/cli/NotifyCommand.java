package dev.tripline.collector.cli;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.output.OutputEngine;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code notify}: the alert outputs alone, against a running Kafka — so delivery scales and fails
 * apart from detection. Instances with the same {@code application.id} (and those inside {@code
 * run}) share each output's partitions.
 */
@Command(
    name = "notify",
    mixinStandardHelpOptions = true,
    description = {
      "Delivers alerts to the configured outputs (output.<name>.*, docs/outputs.md) without",
      "running detection. Needs --bootstrap-servers (the Kafka the collectors use)."
    })
public final class NotifyCommand implements Callable<Integer> {

  @Mixin CollectorOptions options;

  @Override
  public Integer call() throws Exception {
    CollectorConfig config = options.load();
    if (config.embedded()) {
      throw new CollectorConfig.ConfigException(
          CollectorKeys.BOOTSTRAP_SERVERS.name(),
          "notify needs the Kafka the collectors use (--bootstrap-servers host:port)");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CountDownLatch stopped = new CountDownLatch(1);
    OutputEngine engine = new OutputEngine(config, registry, System.out, "").start();
    if (engine.running() == 0) {
      engine.close();
      System.out.println("tripline: no output runs (configure output.<name>.type=…)");
      return 2;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  engine.close();
                  stopped.countDown();
                },
                "tripline-notify-shutdown"));
    System.out.println(
        "Delivering alerts from " + config.get(CollectorKeys.TOPIC_ALERTS) + ". Ctrl-C stops.");
    stopped.await();
    return 0;
  }
}
