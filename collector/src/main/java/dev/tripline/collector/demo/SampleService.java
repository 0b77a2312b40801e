package dev.tripline.collector.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The sample checkout service in its own JVM with the agent attached: started, asked over HTTP,
 * stopped.
 */
final class SampleService implements AutoCloseable {
  static final String NAME = "checkout";

  private final Process process;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private SampleService(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the service and returns once it listens (at most 30 s). */
  static SampleService start(
      Path work, Path agentJar, Path serviceJar, String bootstrap, int inventoryPort)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path conf = work.resolve("checkout.properties");
    Files.writeString(
        conf,
        "http.port="
            + port
            + "\ninventory.host=127.0.0.1\ninventory.port="
            + inventoryPort
            + "\nlog.file="
            + work.resolve("checkout-access.log")
            + "\n");
    Path log = work.resolve("checkout-service.out");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + agentJar,
                "-Dtripline.service.name=" + NAME,
                "-Dtripline.kafka.bootstrap.servers=" + bootstrap,
                "-Dtripline.flush.interval=2s",
                "-jar",
                serviceJar.toString(),
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
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
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
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
