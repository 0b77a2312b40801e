package dev.tripline.collector.demo;

import dev.tripline.collector.CollectorApp;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.model.Alert;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ServiceProfile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * The whole product in about a minute: the embedded Kafka and the collector, the sample service
 * with the agent, normal traffic while the profile learns, the attack, and the alerts as an analyst
 * reads them.
 */
public final class Demo {
  /** What the command line chooses. */
  public record Options(Path work, String learning, int httpPort, boolean keepRunning) {}

  private final Options options;
  private final PrintStream out;
  private final Function<Alert, String> render;

  /** {@code render}: how an alert is shown (the CLI's text block). */
  public Demo(Options options, PrintStream out, Function<Alert, String> render) {
    this.options = options;
    this.out = out;
    this.render = render;
  }

  /**
   * Runs the demo; 0 when every attack step raised its alert, else 1. The alerts also go to a
   * webhook output whose receiver prints them as they arrive.
   */
  public int run() throws Exception {
    Path work = options.work();
    try (DemoWebhook webhook = new DemoWebhook(out)) {
      return run(work, webhook);
    }
  }

  private int run(Path work, DemoWebhook webhook) throws Exception {
    // One alert output without setup: a signed webhook to a receiver on loopback that prints what
    // it gets (docs/outputs.md).
    CollectorConfig config =
        CollectorConfig.builder()
            .set("output.demo-webhook.type", "webhook")
            .set("output.demo-webhook.url", webhook.url())
            .set("output.demo-webhook.secret", webhook.secret())
            .set("output.demo-webhook.format", "api")
            .set(CollectorKeys.DATA_DIR, work.resolve("collector").toString())
            .set(CollectorKeys.EMBEDDED_PORT, "0")
            .set(CollectorKeys.TOPIC_PARTITIONS, "1")
            .set(CollectorKeys.LEARNING_PERIOD, options.learning())
            .set(CollectorKeys.LEARNING_QUIET, "5s")
            .set(CollectorKeys.HTTP_PORT, Integer.toString(options.httpPort()))
            .build();

    step("Starting the embedded Kafka and the collector");
    try (CollectorApp app = new CollectorApp(config, out).start();
        FakeBackends backends = new FakeBackends()) {
      Path agentJar = Bundled.extract("tripline-agent.jar", work);
      Path serviceJar = Bundled.extract("demo-service.jar", work);
      Path secrets = work.resolve("home/.aws/credentials");
      Files.createDirectories(secrets.getParent());
      Files.writeString(
          secrets,
          "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = demo\n");

      step("Starting the sample service '" + SampleService.NAME + "' with the agent attached");
      try (SampleService service =
          SampleService.start(
              work, agentJar, serviceJar, app.bootstrapServers(), backends.inventoryPort())) {
        out.println(
            "   java -javaagent:"
                + agentJar.getFileName()
                + " -Dtripline.service.name="
                + SampleService.NAME
                + " -jar demo-service.jar");
        learn(app.backend(), service);

        step("Attack: the debug endpoint is abused");
        AttackScript script = new AttackScript(backends.attackerPort(), secrets);
        script.play(service, out);

        step("Alerts, as the analyst sees them");
        for (AttackScript.Attack attack : script.attacks()) {
          Optional<Alert> alert = script.alertFor(attack, app.backend(), Duration.ofSeconds(30));
          if (alert.isEmpty()) {
            out.println("   ✗ no alert for: " + attack.description());
            return 1;
          }
          out.println(render.apply(alert.get()));
        }
        // The webhook output delivers on its own thread: give it a moment to say so on the
        // terminal.
        int delivered = webhook.awaitReceived(script.attacks().size(), Duration.ofSeconds(30));
        out.println(
            "Webhook output 'demo-webhook': "
                + delivered
                + " signed alert(s) delivered to "
                + webhook.url()
                + " (docs/outputs.md)");
        out.printf("Console: %s   (token: %s)%n", app.consoleUrl(), app.consoleToken());
        out.println(
            "SIEM topics: tripline.alerts (protobuf), tripline.alerts.json (JSON) on "
                + app.bootstrapServers());

        if (options.keepRunning()) {
          out.println("Running; press Ctrl-C to stop.");
          CountDownLatch stop = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
          stop.await();
        }
      }
    }
    out.println("Demo finished.");
    return 0;
  }

  /** Normal traffic until the profile is learned (at most 120 s). */
  private void learn(AnalystBackend backend, SampleService service) throws Exception {
    step(
        "Normal traffic while Tripline learns the service's profile ("
            + options.learning()
            + " learning, then 5 s quiet)");
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    int requests = 0;
    while (!monitoring(backend) && System.nanoTime() < deadline) {
      service.get("/checkout?item=sku-" + (requests % 7));
      requests++;
      Thread.sleep(100); // the pace of the demo's traffic, not a wait for a condition
    }
    if (!monitoring(backend)) {
      throw new IllegalStateException("the profile did not reach MONITORING within 120 s");
    }
    ServiceProfile profile = backend.profile(SampleService.NAME).orElseThrow();
    out.printf(
        "   %d requests served; profile learned %d behaviours; state %s%n",
        requests, profile.getEntriesCount(), profile.getState());
  }

  private static boolean monitoring(AnalystBackend backend) {
    return backend
        .profile(SampleService.NAME)
        .map(p -> p.getState() == ProfileState.MONITORING)
        .orElse(false);
  }

  private void step(String text) {
    out.println();
    out.println("== " + text);
  }
}
