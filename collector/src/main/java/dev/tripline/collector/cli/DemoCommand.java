package dev.tripline.collector.cli;

import dev.tripline.collector.CollectorApp;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.model.Alert;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ServiceProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the whole product in about a minute. Starts the embedded Kafka and the collector,
 * runs a sample checkout service in its own JVM with the agent attached, drives normal traffic
 * while the profile learns, then plays an attacker abusing the service's debug endpoint and prints
 * the alerts as an analyst reads them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs a self-contained demo: embedded Kafka, collector, a sample service with the agent, an attack, the alerts.")
public final class DemoCommand implements Callable<Integer> {
  static final String SERVICE = "checkout";

  @Option(names = "--keep-running", description = "Keep the collector, console and sample service running after the demo (Ctrl-C stops).")
  boolean keepRunning;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Working directory of the demo. Default: a new temporary directory.")
  Path dataDir;

  @Option(names = "--learning", paramLabel = "DURATION", description = "How long the profile learns before monitoring (default 15s).")
  String learning = "15s";

  @Option(names = "--http-port", paramLabel = "PORT", description = "Console port (default 8470; 0 = any free port).")
  int httpPort = 8470;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    Path work = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("tripline-demo");
    CollectorConfig config = CollectorConfig.builder()
        .set("data.dir", work.resolve("collector").toString())
        .set("embedded.port", "0")
        .set("topic.partitions", "1")
        .set("learning.period", learning)
        .set("learning.quiet", "5s")
        .set("http.port", Integer.toString(httpPort))
        .build();

    step("Starting the embedded Kafka and the collector");
    List<AutoCloseable> resources = new ArrayList<>();
    try (CollectorApp app = new CollectorApp(config, out).start()) {
      try (Backends backends = new Backends()) {
        Path agentJar = extract("tripline-agent.jar", work);
        Path serviceJar = extract("demo-service.jar", work);
        Path secrets = work.resolve("home/.aws/credentials");
        Files.createDirectories(secrets.getParent());
        Files.writeString(secrets, "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = demo\n");

        step("Starting the sample service '" + SERVICE + "' with the agent attached");
        SampleService service = SampleService.start(work, agentJar, serviceJar, app.bootstrapServers(), backends.inventoryPort());
        resources.add(service);
        out.println("   java -javaagent:" + agentJar.getFileName() + " -Dtripline.service.name=" + SERVICE + " -jar demo-service.jar");

        step("Normal traffic while Tripline learns the service's profile (" + learning + " learning, then 5 s quiet)");
        AnalystBackend backend = app.backend();
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
        ServiceProfile profile = backend.profile(SERVICE).orElseThrow();
        out.printf("   %d requests served; profile learned %d behaviours; state %s%n",
            requests, profile.getEntriesCount(), profile.getState());

        step("Attack: the debug endpoint is abused");
        List<Attack> attacks = List.of(
            new Attack("opens a connection to the attacker's server 127.0.0.1:" + backends.c2Port(),
                "/debug?fetch=127.0.0.1:" + backends.c2Port(), a -> a.getEvent().getNetwork().getPort() == backends.c2Port()),
            new Attack("reads cloud credentials " + secrets,
                "/debug?file=" + secrets, a -> a.getEvent().getFile().getPath().endsWith(".aws/credentials")),
            new Attack("spawns a shell: /bin/sh -c id",
                "/debug?cmd=id", a -> a.getEvent().getProcess().getExecutable().equals("/bin/sh")));
        for (Attack attack : attacks) {
          out.println("   ▶ attacker " + attack.description);
          service.get(attack.path);
        }

        step("Alerts, as the analyst sees them");
        for (Attack attack : attacks) {
          Optional<Alert> alert = awaitAlert(backend, attack.matches, Duration.ofSeconds(30));
          if (alert.isEmpty()) {
            out.println("   ✗ no alert for: " + attack.description);
            return 1;
          }
          out.println(AlertText.block(alert.get()));
        }
        out.printf("Console: %s   (token: %s)%n", app.consoleUrl(), app.consoleToken());
        out.println("SIEM topics: tripline.alerts (protobuf), tripline.alerts.json (JSON) on " + app.bootstrapServers());

        if (keepRunning) {
          out.println("Running; press Ctrl-C to stop.");
          CountDownLatch stop = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
          stop.await();
        }
      } finally {
        for (AutoCloseable r : resources) {
          r.close();
        }
      }
    }
    out.println("Demo finished.");
    return 0;
  }

  private static boolean monitoring(AnalystBackend backend) {
    return backend.profile(SERVICE).map(p -> p.getState() == ProfileState.MONITORING).orElse(false);
  }

  private static Optional<Alert> awaitAlert(AnalystBackend backend, Predicate<Alert> matches, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Alert> hit = backend.alerts(AnalystBackend.AlertQuery.all(100)).stream()
          .filter(a -> a.getService().equals(SERVICE)).filter(matches).findFirst();
      if (hit.isPresent()) {
        return hit;
      }
      Thread.sleep(200);
    }
    return Optional.empty();
  }

  private void step(String text) {
    out.println();
    out.println("== " + text);
  }

  /** The agent and the sample service travel inside the collector jar, so the demo runs from it alone. */
  static Path extract(String name, Path dir) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = DemoCommand.class.getResourceAsStream("/bundled/" + name)) {
      if (in == null) {
        throw new IllegalStateException("/bundled/" + name + " is missing from the collector jar; build with ./mvnw install");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  record Attack(String description, String path, Predicate<Alert> matches) {}

  /** The service's neighbours: its inventory backend, and the attacker's server. */
  static final class Backends implements AutoCloseable {
    private final ServerSocket inventory = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final ServerSocket c2 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    Backends() throws IOException {
      serve(inventory, "tripline-demo-inventory", true);
      serve(c2, "tripline-demo-attacker", false);
    }

    int inventoryPort() {
      return inventory.getLocalPort();
    }

    int c2Port() {
      return c2.getLocalPort();
    }

    private static void serve(ServerSocket server, String name, boolean answer) {
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            s.setSoTimeout(2000);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (answer && line != null) {
              new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println(Math.abs(line.hashCode() % 90) + 10);
            }
          } catch (IOException e) {
            // next connection
          }
        }
      }, name);
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      inventory.close();
      c2.close();
    }
  }

  /** The sample service JVM, with the agent attached. */
  static final class SampleService implements AutoCloseable {
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private SampleService(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static SampleService start(Path work, Path agentJar, Path serviceJar, String bootstrap, int inventoryPort)
        throws IOException, InterruptedException {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path conf = work.resolve("checkout.properties");
      Files.writeString(conf, "http.port=" + port + "\ninventory.host=127.0.0.1\ninventory.port=" + inventoryPort
          + "\nlog.file=" + work.resolve("checkout-access.log") + "\n");
      Path log = work.resolve("checkout-service.out");
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-javaagent:" + agentJar,
          "-Dtripline.service.name=" + SERVICE,
          "-Dtripline.kafka.bootstrap.servers=" + bootstrap,
          "-Dtripline.flush.interval=2s",
          "-jar", serviceJar.toString(), conf.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      SampleService service = new SampleService(p, port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("sample service exited: " + Files.readString(log));
        }
        if (Files.readString(log).contains("listening on")) {
          return service;
        }
        Thread.sleep(100);
      }
      service.close();
      throw new IllegalStateException("sample service did not start: " + Files.readString(log));
    }

    String get(String path) throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
